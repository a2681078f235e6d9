package dev.chatledger.datasets.contract;

/** The closed value sets of CONTRACT section 1. A value outside them is {@code unknown_enum}. */
public final class Enums {
  public static final String[] DIRECTIONS = {"inbound", "outbound"};
  public static final String[] MESSAGE_TYPES = {
    "template", "text", "interactive", "button_reply", "list_reply", "image", "video", "audio",
    "document", "location", "sticker", "reaction"
  };
  public static final String[] TEMPLATE_CATEGORIES = {"marketing", "utility", "authentication"};
  public static final String[] REFERRAL_SOURCES = {"ad", "page"};
  public static final String[] STATUSES = {"sent", "delivered", "read", "failed"};
  public static final String[] CONSENT_ACTIONS = {"prompt", "opt_in", "opt_out", "block", "unblock"};
  public static final String[] CONSENT_SOURCES = {"website", "in_chat", "ad", "sms", "qr", "import", "other"};
  public static final String[] BILLING_KINDS = {"charge", "refund"};
  public static final String[] BILLING_CATEGORIES = {
    "marketing", "utility", "authentication", "authentication_international", "service"
  };
  public static final String[] PRICING_TYPES = {"regular", "free_customer_service", "free_entry_point"};
  /** v1 accepts USD only (CONTRACT 7). */
  public static final String[] CURRENCIES = {"USD"};
  public static final String[] ACCOUNT_TYPES = {"app", "api"};

  private Enums() {}
}
