package dev.chatledger.datasets.contract;

import static dev.chatledger.datasets.contract.FieldSpec.optional;
import static dev.chatledger.datasets.contract.FieldSpec.optionalEnum;
import static dev.chatledger.datasets.contract.FieldSpec.required;
import static dev.chatledger.datasets.contract.FieldSpec.requiredEnum;

import java.util.List;

/**
 * The four event feeds of the landing zone (CONTRACT section 1): their folder name, the fields a
 * line must carry and the key that identifies a record for deduplication.
 *
 * <p>Rules that span several fields (a user identity; a template object on outbound templates
 * only; a referral on inbound messages only; USD only) are implemented by the parser, which asks
 * this enum for {@link #hasUserIdentity()}.
 */
public enum Feed {
  MESSAGES(
      "messages",
      "event_id",
      "sent_at",
      true,
      List.of(
          required("event_id", FieldType.STRING),
          required("message_id", FieldType.STRING),
          requiredEnum("direction", Enums.DIRECTIONS),
          required("sent_at", FieldType.INSTANT),
          required("business_id", FieldType.STRING),
          required("phone_number_id", FieldType.STRING),
          requiredEnum("type", Enums.MESSAGE_TYPES))),
  STATUSES(
      "statuses",
      "event_id",
      "status_at",
      false,
      List.of(
          required("event_id", FieldType.STRING),
          required("message_id", FieldType.STRING),
          requiredEnum("status", Enums.STATUSES),
          required("status_at", FieldType.INSTANT),
          optional("error_code", FieldType.INTEGER))),
  CONSENTS(
      "consents",
      "event_id",
      "occurred_at",
      true,
      List.of(
          required("event_id", FieldType.STRING),
          required("business_id", FieldType.STRING),
          requiredEnum("action", Enums.CONSENT_ACTIONS),
          optionalEnum("source", Enums.CONSENT_SOURCES),
          required("occurred_at", FieldType.INSTANT))),
  BILLING(
      "billing",
      "billing_event_id",
      "billed_at",
      false,
      List.of(
          required("billing_event_id", FieldType.STRING),
          required("message_id", FieldType.STRING),
          required("business_id", FieldType.STRING),
          requiredEnum("kind", Enums.BILLING_KINDS),
          requiredEnum("category", Enums.BILLING_CATEGORIES),
          requiredEnum("pricing_type", Enums.PRICING_TYPES),
          required("amount", FieldType.DECIMAL_STRING),
          requiredEnum("currency", Enums.CURRENCIES),
          required("billed_at", FieldType.INSTANT)));

  private final String folder;
  private final String keyField;
  private final String eventTimeField;
  private final boolean userIdentity;
  private final List<FieldSpec> fields;

  Feed(String folder, String keyField, String eventTimeField, boolean userIdentity,
      List<FieldSpec> fields) {
    this.folder = folder;
    this.keyField = keyField;
    this.eventTimeField = eventTimeField;
    this.userIdentity = userIdentity;
    this.fields = fields;
  }

  /** Folder under the landing zone: {@code <landing>/<folder>/dt=YYYY-MM-DD/}. */
  public String folder() {
    return folder;
  }

  /** The field deduplication is keyed on (CONTRACT 7). */
  public String keyField() {
    return keyField;
  }

  /** The instant the event happened; its UTC date partitions the silver table. */
  public String eventTimeField() {
    return eventTimeField;
  }

  /** Whether a record names a user by {@code user_phone} and/or {@code user_id}. */
  public boolean hasUserIdentity() {
    return userIdentity;
  }

  /** The flat fields, in contract order (nested template/referral fields are handled apart). */
  public List<FieldSpec> fields() {
    return fields;
  }

  public static Feed fromFolder(String folder) {
    for (Feed f : values()) {
      if (f.folder.equals(folder)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown feed: " + folder + " (expected one of messages, statuses, consents, billing)");
  }
}
