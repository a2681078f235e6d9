package dev.chatledger.jobs.tables;

import static dev.chatledger.jobs.tables.Columns.lineage;
import static dev.chatledger.jobs.tables.Columns.runId;
import static dev.chatledger.jobs.tables.Columns.user;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The table registry: every table's name, layer, schema, partitioning, grain and description in
 * one place (CONTRACT 6). Jobs ask it for paths and schemas; nothing else spells them.
 */
public enum Table {
  BRONZE_MESSAGES(Layer.BRONZE, "messages", List.of("dt"),
      "one row per parseable landed message line, duplicates included",
      "Message lines as landed (typed, user pseudonymized) with their lineage.",
      messageColumns().addAll(lineage()).addAll(runId())),
  BRONZE_STATUSES(Layer.BRONZE, "statuses", List.of("dt"),
      "one row per parseable landed status line, duplicates included",
      "Delivery receipt lines as landed (typed) with their lineage.",
      statusColumns().addAll(lineage()).addAll(runId())),
  BRONZE_CONSENTS(Layer.BRONZE, "consents", List.of("dt"),
      "one row per parseable landed consent line, duplicates included",
      "Consent lifecycle lines as landed (typed, user pseudonymized) with their lineage.",
      consentColumns().addAll(lineage()).addAll(runId())),
  BRONZE_BILLING(Layer.BRONZE, "billing", List.of("dt"),
      "one row per parseable landed billing line, duplicates included",
      "Billing lines as landed (typed) with their lineage.",
      billingColumns().addAll(lineage()).addAll(runId())),

  SILVER_MESSAGES(Layer.SILVER, "messages", List.of("sent_date"),
      "one row per event_id (first copy wins)",
      "Deduplicated messages, inbound and outbound.",
      messageColumns().date("sent_date", "UTC date of sent_at").addAll(lineage())),
  SILVER_STATUSES(Layer.SILVER, "statuses", List.of("status_date"),
      "one row per event_id (first copy wins)",
      "Deduplicated delivery receipts; may precede their message.",
      statusColumns().date("status_date", "UTC date of status_at").addAll(lineage())),
  SILVER_CONSENTS(Layer.SILVER, "consents", List.of("occurred_date"),
      "one row per event_id (first copy wins)",
      "Deduplicated consent events (prompt, opt_in, opt_out, block, unblock).",
      consentColumns().date("occurred_date", "UTC date of occurred_at").addAll(lineage())),
  SILVER_BILLING(Layer.SILVER, "billing", List.of("billed_date"),
      "one row per billing_event_id (first copy wins)",
      "Deduplicated billing lines: what the billing system charged or refunded.",
      billingColumns().date("billed_date", "UTC date of billed_at").addAll(lineage())),
  SILVER_MARKETS(Layer.SILVER, "markets", List.of(),
      "one row per country",
      "Country to pricing market (reference markets.csv); unlisted countries are market Other.",
      Columns.of()
          .string("country", "ISO 3166-1 alpha-2 country")
          .string("market", "pricing market of the rate card")),
  SILVER_RATE_CARD(Layer.SILVER, "rate_card", List.of(),
      "one row per (market, category, effective_from, tier_from)",
      "Price of one delivered message by market and category, in force from a business-local date.",
      Columns.of()
          .string("market", "pricing market")
          .string("category", "marketing, utility, authentication, authentication_international or service")
          .string("currency", "ISO 4217 currency of price")
          .date("effective_from", "first business-local date the row is in force")
          .bigint("tier_from", "charged messages of the (business, market, category) earlier in the month")
          .money("price", "price of one delivered message")),
  SILVER_BUSINESSES(Layer.SILVER, "businesses", List.of(),
      "one row per business_id",
      "Business accounts (reference businesses.csv).",
      Columns.of()
          .string("business_id", "the business account")
          .string("name", "display name")
          .string("country", "ISO country of the business")
          .string("timezone", "IANA time zone: local dates of pricing and tiers")
          .string("vertical", "industry")
          .string("account_type", "app (small business app) or api")
          .bool("verified", "whether the business is verified")
          .timestamp("registered_at", "when the business joined the platform")),

  SILVER_RATED_MESSAGES(Layer.SILVER, "rated_messages", List.of("sent_date"),
      "one row per outbound message",
      "Every outbound message rated by the platform's pricing rules (CONTRACT 2): policy, pricing "
          + "type, market, category, tier and price, with what decided them.",
      Columns.of()
          .string("message_id", "the outbound message")
          .string("business_id", "the sending business")
          .string("phone_number_id", "the business's phone number")
          .string("user_key", "the recipient (pseudonymized)")
          .string("user_country", "the recipient's country")
          .string("market", "pricing market of the recipient's country (Other when unlisted)")
          .string("market_source", "how the market was found: markets.csv or country not in markets.csv")
          .string("type", "message type")
          .string("template_category", "the template's own category (templates only)")
          .string("category", "rated category: template category, authentication_international, or service")
          .string("policy", "pricing policy by the LOCAL date of sent_at: pmp-2025-07 or pmp-2026-10; null before 2025-07-01")
          .string("pricing_type", "regular, free_customer_service or free_entry_point")
          .bool("billable", "delivered and regular: charged")
          .bool("is_unrated", "billable but no rate card row (or no policy): price 0, counted in data quality")
          .timestamp("sent_at", "when it was sent (UTC)")
          .date("sent_date", "UTC date of sent_at")
          .timestamp("delivered_at", "earliest delivered or read status; null if never delivered")
          .timestamp("read_at", "earliest read status; null if never read")
          .date("revenue_date", "UTC date of delivered_at: the day its revenue belongs to")
          .string("timezone", "the business's time zone (UTC when unknown)")
          .string("local_month", "business-local month of delivered_at, YYYY-MM: the tier month")
          .timestamp("service_window_opened_at", "start of the customer service window it was sent in")
          .string("service_window_opened_by", "the inbound message that opened that window")
          .timestamp("entry_point_opened_at", "start of the free entry point window it was sent in")
          .string("entry_point_opened_by", "the referral message that opened that window")
          .bigint("tier_from", "the rate card tier applied; null when not billable or unrated")
          .date("rate_effective_from", "effective_from of the rate card row applied")
          .money("price", "price of the message (0 when free, not delivered or unrated)")
          .string("currency", "currency of price")),

  SILVER_BUSINESS_FIRSTS(Layer.SILVER, "business_firsts", List.of(),
      "one row per business_id",
      "Each business's first message ever (either direction) and first template: what new_businesses and "
          + "onboarding in gold.business_usage_daily are measured against. Kept up to date each night from the "
          + "night's new messages, so that no night reads all of history for it.",
      Columns.of()
          .string("business_id", "the business")
          .timestamp("first_message_at", "its first message, inbound or outbound (UTC)")
          .timestamp("first_template_at", "its first outbound template (UTC); null if none yet")),

  SILVER_CONSENT_STATE(Layer.SILVER, "consent_state", List.of(),
      "one row per (business_id, user_key, opt-in or block event kind)",
      "Each pair's latest opt_in/opt_out and latest block/unblock event before state_before: the opt-in state "
          + "a night starts from (ConsentState.since), kept so that no night reads all of the consent history.",
      consentColumns().date("occurred_date", "UTC date of occurred_at").addAll(lineage())
          .date("state_before", "the events summed up are those before this UTC date")),

  GOLD_REVENUE_DAILY(Layer.GOLD, "revenue_daily", List.of("revenue_date"),
      "revenue_date, business_id, user_country, market, category, pricing_type, currency",
      "Delivered messages and their revenue per UTC day (CONTRACT 6).",
      Columns.of()
          .date("revenue_date", "UTC date of delivery")
          .string("business_id", "the business")
          .string("user_country", "recipient country")
          .string("market", "pricing market")
          .string("category", "rated category")
          .string("pricing_type", "regular, free_customer_service or free_entry_point")
          .bigint("delivered_messages", "delivered messages")
          .bigint("billable_messages", "of which billable")
          .money("revenue", "sum of their prices")
          .string("currency", "currency of revenue")),
  GOLD_BILLING_RECONCILIATION(Layer.GOLD, "billing_reconciliation", List.of("date"),
      "one row per message that is expected to cost or was billed",
      "Computed price against what billing charged, per message (CONTRACT 3).",
      Columns.of()
          .string("message_id", "the message")
          .string("business_id", "the message's business (the billing line's when the message is unknown)")
          .date("revenue_date", "UTC date of delivery (null when not delivered or unknown)")
          .date("date", "the reporting date: revenue_date, else the UTC date of the first billing line")
          .string("category", "rated category")
          .string("pricing_type", "rated pricing type")
          .money("expected", "its price (0 when not billable; null when the message is unknown)")
          .money("billed", "charges minus refunds")
          .bigint("billing_lines", "billing lines for the message")
          .string("outcome", "match, missing_charge, unexpected_charge, amount_mismatch, category_mismatch or unknown_message")),
  GOLD_RECONCILIATION_DAILY(Layer.GOLD, "reconciliation_daily", List.of("date"),
      "date, business_id",
      "Reconciliation per day and business (CONTRACT 3, 6).",
      Columns.of()
          .date("date", "reporting date (see billing_reconciliation.date)")
          .string("business_id", "the business")
          .money("expected", "sum of expected")
          .money("billed", "sum of billed")
          .money("difference", "billed - expected")
          .bigint("messages", "messages reconciled")
          .bigint("match", "messages with outcome match")
          .bigint("missing_charge", "messages with outcome missing_charge")
          .bigint("unexpected_charge", "messages with outcome unexpected_charge")
          .bigint("amount_mismatch", "messages with outcome amount_mismatch")
          .bigint("category_mismatch", "messages with outcome category_mismatch")
          .bigint("unknown_message", "messages with outcome unknown_message")),

  GOLD_OPTIN_COHORTS(Layer.GOLD, "optin_cohorts", List.of("prompt_date"),
      "prompt_date, business_id, user_country",
      "Opt-in funnel per UTC prompt date (CONTRACT 4, 7): users prompted and those who opted in to the "
          + "business within 7 days of a prompt of that day.",
      Columns.of()
          .date("prompt_date", "UTC date of the prompts")
          .string("business_id", "the business that prompted")
          .string("user_country", "country of the prompted users")
          .bigint("prompted", "distinct users prompted that day")
          .bigint("opted_in", "of them, users with an opt_in at or after a prompt of that day and at most 7 days later")
          .add("optin_rate", DataTypes.DoubleType, "opted_in / prompted")
          .bool("is_final", "the 7 days have passed by the latest night run (also when an older night runs again): opted_in can no longer grow")),
  GOLD_CONSENT_DAILY(Layer.GOLD, "consent_daily", List.of("date"),
      "date, business_id",
      "Consent events, the active opt-in base at day end and the block rate, per UTC day and business "
          + "(CONTRACT 4, 7); a row for each day with a consent event or a delivered marketing template.",
      Columns.of()
          .date("date", "UTC date")
          .string("business_id", "the business")
          .bigint("prompts", "prompt events")
          .bigint("opt_ins", "opt_in events")
          .bigint("opt_outs", "opt_out events")
          .bigint("blocks", "block events")
          .bigint("unblocks", "unblock events")
          .bigint("blocking_users", "distinct users who blocked the business that day")
          .bigint("active_optin_base", "users with an active opt-in (opted in, not blocked) at the end of the day, inclusive")
          .bigint("marketing_recipients", "distinct users delivered a marketing template that day (UTC date of delivered_at)")
          .add("block_rate", DataTypes.DoubleType, "blocking_users / marketing_recipients; null when there are none")),
  GOLD_CONSENT_VIOLATIONS(Layer.GOLD, "consent_violations", List.of("sent_date"),
      "one row per violating message",
      "Every outbound template (any category, any delivery status) sent to a user without an active "
          + "opt-in to the business at sent_at (CONTRACT 4, 7).",
      Columns.of()
          .string("message_id", "the template message")
          .string("business_id", "the sending business")
          .string("user_key", "the recipient (pseudonymized)")
          .string("user_country", "the recipient's country")
          .string("market", "the recipient's pricing market")
          .timestamp("sent_at", "when it was sent (UTC)")
          .date("sent_date", "UTC date of sent_at")
          .string("category", "the template's category")
          .string("reason", "no_active_opt_in (never opted in, or opted out) or blocked")),
  GOLD_REGIONAL_USAGE_DAILY(Layer.GOLD, "regional_usage_daily", List.of("date"),
      "date, user_country, market",
      "Usage per UTC day, user country and market (CONTRACT 4, 7): messages by date of sent_at, "
          + "billable messages and revenue by revenue_date.",
      Columns.of()
          .date("date", "UTC date")
          .string("user_country", "the user's country")
          .string("market", "the country's pricing market")
          .bigint("active_businesses", "businesses that sent or received a message from users of the country that day")
          .bigint("active_users", "users who sent or received a message that day")
          .bigint("inbound_messages", "messages from users")
          .bigint("outbound_messages", "messages to users")
          .bigint("marketing_templates", "outbound templates of category marketing")
          .bigint("utility_templates", "outbound templates of category utility")
          .bigint("authentication_templates", "outbound templates of category authentication")
          .bigint("delivered_messages", "outbound messages sent that day that were delivered (delivered or read)")
          .bigint("read_messages", "outbound messages sent that day that were read")
          .bigint("interactive_messages", "inbound button_reply and list_reply messages")
          .add("delivered_rate", DataTypes.DoubleType, "delivered_messages / outbound_messages; null without outbound")
          .add("read_rate", DataTypes.DoubleType, "read_messages / outbound_messages; null without outbound")
          .add("interactive_share", DataTypes.DoubleType, "interactive_messages / inbound_messages; null without inbound")
          .bigint("billable_messages", "billable messages delivered that day (revenue_date)")
          .money("revenue", "their revenue, USD")),
  GOLD_BUSINESS_USAGE_DAILY(Layer.GOLD, "business_usage_daily", List.of("date"),
      "date, business_country, account_type",
      "Business activity per UTC day, business country and account type (businesses.csv; null when the "
          + "business is not listed), with the onboarding time of businesses that sent their first template.",
      Columns.of()
          .date("date", "UTC date")
          .string("business_country", "the business's country")
          .string("account_type", "app or api")
          .bigint("active_businesses", "businesses that sent or received a message that day")
          .bigint("new_businesses", "businesses whose first message ever was that day")
          .bigint("verified_businesses", "active businesses that are verified")
          .add("verified_share", DataTypes.DoubleType, "verified_businesses / active_businesses; null when none")
          .bigint("outbound_messages", "messages sent")
          .bigint("inbound_messages", "messages received")
          .bigint("templates", "templates sent")
          .money("revenue", "revenue of messages delivered that day, USD")
          .bigint("onboarded_businesses", "businesses whose first template ever was sent that day")
          .add("onboarding_median_hours", DataTypes.DoubleType, "median hours from registered_at to the first template, over onboarded_businesses")
          .add("onboarding_p90_hours", DataTypes.DoubleType, "90th percentile of the same")),

  OPS_REJECTED(Layer.OPS, "rejected", List.of("dt"),
      "one row per rejected line",
      "Landed lines that could not be used, with the reason (CONTRACT 7) and users masked.",
      Columns.of()
          .string("feed", "messages, statuses, consents, billing or reference/<file>")
          .date("dt", "arrival date of the line")
          .string("source_file", "the landed file")
          .bigint("line_offset", "byte offset of the line in its file (row number for reference files)")
          .string("line", "the line as landed with phone numbers and user ids masked")
          .string("reason", "the first failing check: invalid_json, missing_field, wrong_type, unknown_enum, "
              + "bad_timestamp, invalid_phone, invalid_user_id, negative_amount, bad_amount, conflicting_duplicate")
          .addAll(runId())),
  OPS_RUNS(Layer.OPS, "runs", List.of(),
      "one row per run",
      "Every run of the pipeline: command, dates, timing, outcome and counts. An audit log: it is "
          + "the one table a rerun adds to.",
      Columns.of()
          .string("run_id", "unique id of the run")
          .string("command", "the command that ran (nightly, ...)")
          .string("dates", "the arrival dates the run processed")
          .timestamp("started_at", "start of the run")
          .timestamp("finished_at", "end of the run")
          .string("status", "succeeded or failed")
          .add("counts", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType),
              "lines read, rows written and rejected per feed and reason")
          .string("message", "error message of a failed run")),
  OPS_DATA_QUALITY(Layer.OPS, "data_quality", List.of(),
      "one row per check per run",
      "Every data-quality check of every run (nightly, rebuild), passed or not: its value and the "
          + "thresholds it was held to. An error fails the night (exit 3) and publishes nothing; a warning "
          + "is logged. An audit log, like ops.runs: failed runs' checks are kept.",
      Columns.of()
          .string("run_id", "the run that checked")
          .date("night", "the night (arrival date) checked")
          .string("stage", "ingest or derive: the stage the check follows")
          .string("check_name", "rejected_share, feed_empty, silver_duplicate_keys, revenue_difference, unrated_share, "
              + "orphan_status_share or reconciliation_mismatch_share")
          .string("subject", "the feed or table checked")
          .add("value", DataTypes.DoubleType, "the measured value")
          .add("warn_above", DataTypes.DoubleType, "a value above this logs a warning (null: never)")
          .add("fail_above", DataTypes.DoubleType, "a value above this fails the night (null: never)")
          .string("level", "ok, warning or error")
          .timestamp("checked_at", "when it was checked")),
  OPS_ERASURES(Layer.OPS, "erasures", List.of(),
      "one row per erasure request",
      "Users erased on request (`erase`): a SHA-256 of their user_key only, never the phone number, id "
          + "or key itself. Every night drops landed lines of these users before bronze, so a replayed file "
          + "cannot bring a user back. An audit log.",
      Columns.of()
          .string("request_id", "unique id of the request (the erase run)")
          .string("user_key_sha256", "hex SHA-256 of the erased user's user_key")
          .timestamp("requested_at", "when the erasure ran")),
  OPS_PUBLICATIONS(Layer.OPS, "publications", List.of(),
      "one row per publication",
      "What readers see: each successful run ends by recording the Delta version of every table it "
          + "leaves, in one atomic append; readers' table names are views pinned to the latest row, so a "
          + "run that fails half-way changes nothing a reader sees. An audit log, like ops.runs.",
      Columns.of()
          .string("run_id", "the run that published")
          .string("dates", "the arrival dates it processed")
          .timestamp("published_at", "when it published")
          .add("versions", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType),
              "qualified table name -> published Delta version"));

  private final Layer layer;
  private final String name;
  private final List<String> partitionBy;
  private final String grain;
  private final String description;
  private final StructType schema;

  Table(Layer layer, String name, List<String> partitionBy, String grain, String description,
      Columns columns) {
    this.layer = layer;
    this.name = name;
    this.partitionBy = partitionBy;
    this.grain = grain;
    this.description = description;
    this.schema = columns.build();
  }

  public Layer layer() {
    return layer;
  }

  /** The bare table name within its layer. */
  public String tableName() {
    return name;
  }

  /** The name readers use: {@code silver.messages}. */
  public String qualifiedName() {
    return layer.schema() + "." + name;
  }

  /**
   * Audit logs (ops.runs, ops.publications, ops.data_quality) record every run, failed ones included: readers see
   * them as they are, not pinned to a publication.
   */
  public boolean isAuditLog() {
    return this == OPS_RUNS || this == OPS_PUBLICATIONS || this == OPS_DATA_QUALITY || this == OPS_ERASURES;
  }

  public List<String> partitionBy() {
    return partitionBy;
  }

  /**
   * The columns OPTIMIZE clusters the files by (Z-order), after the date partitioning: the ones
   * analysts filter by, business first, then country; at most two, so each keeps its locality.
   */
  public List<String> zOrderBy() {
    List<String> present = java.util.Arrays.stream(schema.fieldNames()).toList();
    return java.util.stream.Stream.of("business_id", "user_country", "business_country", "country", "market")
        .filter(present::contains).filter(c -> !partitionBy.contains(c)).limit(2).toList();
  }

  public String grain() {
    return grain;
  }

  public String description() {
    return description;
  }

  public StructType schema() {
    return schema;
  }

  /** Path relative to the warehouse root. */
  public String relativePath() {
    return layer.schema() + "/" + name;
  }

  public static Table bronze(dev.chatledger.datasets.contract.Feed feed) {
    return valueOf("BRONZE_" + feed.name());
  }

  public static Table silver(dev.chatledger.datasets.contract.Feed feed) {
    return valueOf("SILVER_" + feed.name());
  }

  private static Columns messageColumns() {
    return Columns.of()
        .string("event_id", "unique per record; a redelivery repeats it")
        .string("message_id", "unique per message")
        .string("direction", "inbound (user to business) or outbound")
        .timestamp("sent_at", "when the message was sent (UTC)")
        .string("business_id", "the business account")
        .string("phone_number_id", "the business's phone number")
        .addAll(user())
        .string("type", "message type: template, text, interactive, button_reply, ...")
        .string("template_name", "template name (outbound templates only)")
        .string("template_category", "marketing, utility or authentication (outbound templates only)")
        .string("template_language", "template language (outbound templates only)")
        .string("referral_source_type", "click-to-chat entry: ad or page (inbound only)")
        .string("referral_source_id", "the ad or page id (inbound only)");
  }

  private static Columns statusColumns() {
    return Columns.of()
        .string("event_id", "unique per record")
        .string("message_id", "the outbound message the receipt is for")
        .string("status", "sent, delivered, read or failed")
        .timestamp("status_at", "when the status happened (UTC)")
        .bigint("error_code", "platform error code of a failed message, e.g. 131049");
  }

  private static Columns consentColumns() {
    return Columns.of()
        .string("event_id", "unique per record")
        .string("business_id", "the business asking for or receiving consent")
        .addAll(user())
        .string("action", "prompt, opt_in, opt_out, block or unblock")
        .string("source", "where consent was collected: website, in_chat, ad, sms, qr, import, other")
        .timestamp("occurred_at", "when it happened (UTC)");
  }

  private static Columns billingColumns() {
    return Columns.of()
        .string("billing_event_id", "unique per record")
        .string("message_id", "the charged message")
        .string("business_id", "the charged business")
        .string("kind", "charge or refund (a refund reverses part or all of a charge)")
        .string("category", "category billed")
        .string("pricing_type", "regular, free_customer_service or free_entry_point")
        .money("amount", "amount, >= 0")
        .string("currency", "ISO 4217 currency (USD in v1)")
        .timestamp("billed_at", "when it was billed (UTC)");
  }
}
