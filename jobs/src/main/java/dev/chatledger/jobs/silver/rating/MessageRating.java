package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What every outbound message costs (CONTRACT 2, 7), as a chain of the named rules:
 * delivery, business time, the two conversation windows, the pricing policy, market, category,
 * the service quota, tiers and the rate card (market and category do not depend on the quota,
 * so they come first: a night's quiet conversations join there, see {@link PriorRating}).
 * Pure: silver tables in, one row per outbound message out.
 *
 * <p>Shuffles: 1 for the statuses aggregation, 1 for the join of messages to deliveries,
 * 1 for the conversation windows (both share the partitioning by phone number and user),
 * 1 for the service quota and 1 for the tiers; reference tables are broadcast.
 */
public final class MessageRating {
  /** v1 prices in USD (CONTRACT 1); an unrated message carries it with price 0. */
  public static final String CURRENCY = "USD";

  private MessageRating() {}

  public static Dataset<Row> rate(Dataset<Row> messages, Dataset<Row> statuses, Dataset<Row> businesses,
      Dataset<Row> markets, Dataset<Row> rateCard) {
    return rate(messages, statuses, businesses, markets, rateCard, null);
  }

  /**
   * The messages a night re-rates: the outbound ones sent on or after {@code from} (UTC date)
   * and the {@code carried} ones (sent before, delivered on or after it); every other message of
   * their months was delivered before them and is summed up in the month-to-date counters.
   * {@code messages} must hold at least {@link #CONTEXT_DAYS} days before the earliest of them.
   *
   * @param tierOffsets {@link Tiering#offsets} of the messages not re-rated
   * @param quotaOffsets {@link ServiceQuota#offsets} of the same
   * @param carried {@code message_id} of the carried messages
   * @param touched when given, the (phone_number_id, user_key) conversations the night brought
   *     messages for: only their messages are rated from {@code messages} and {@code statuses};
   *     the re-rated messages of the other conversations come from {@code stored} ({@link PriorRating})
   * @param stored the rows of {@code silver.rated_messages} the night re-rates (sent from
   *     {@code from} on, or carried), with {@code touched}
   * @param receiptsTonight the statuses that arrived tonight, with {@code touched}
   * @param tierCrossings with {@code touched}, {@link ThresholdCrossings#tiers}: the stored rows of
   *     quiet conversations outside these groups and {@code quotaCrossings}, without a receipt
   *     tonight, are returned as stored and not ordered again; null: every stored row is re-rated
   * @param quotaCrossings {@link ThresholdCrossings#quota}, with {@code tierCrossings}
   * @param crossingMonths the local months both were worked out for
   */
  public record Horizon(java.time.LocalDate from, Dataset<Row> carried, Dataset<Row> tierOffsets,
      Dataset<Row> quotaOffsets, Dataset<Row> touched, Dataset<Row> stored, Dataset<Row> receiptsTonight,
      Dataset<Row> tierCrossings, Dataset<Row> quotaCrossings, java.util.List<String> crossingMonths) {
    /** Every re-rated message rated from {@code messages} and {@code statuses}. */
    public Horizon(java.time.LocalDate from, Dataset<Row> carried, Dataset<Row> tierOffsets, Dataset<Row> quotaOffsets) {
      this(from, carried, tierOffsets, quotaOffsets, null, null, null, null, null, null);
    }

    /** Quiet conversations re-rated from their stored rows, every one of them. */
    public Horizon(java.time.LocalDate from, Dataset<Row> carried, Dataset<Row> tierOffsets, Dataset<Row> quotaOffsets,
        Dataset<Row> touched, Dataset<Row> stored, Dataset<Row> receiptsTonight) {
      this(from, carried, tierOffsets, quotaOffsets, touched, stored, receiptsTonight, null, null, null);
    }
  }

  /** Days of conversation before a rated message that its windows can depend on (72h, rounded up). */
  public static final int CONTEXT_DAYS = 4;

  /**
   * Rates the outbound messages of {@code messages}, or with a {@code horizon} only those it
   * names (the rest of {@code messages} is their conversations' context).
   */
  public static Dataset<Row> rate(Dataset<Row> messages, Dataset<Row> statuses, Dataset<Row> businesses,
      Dataset<Row> markets, Dataset<Row> rateCard, Horizon horizon) {
    Dataset<Row> conversations = messages.select("message_id", "direction", "sent_at", "business_id",
        "phone_number_id", "user_key", "user_country", "type", "template_category",
        "referral_source_type", "referral_source_id");
    boolean keepsQuietConversations = horizon != null && horizon.touched() != null;
    Dataset<Row> touched = null;
    if (keepsQuietConversations) {
      // the night's conversations, broadcast into both scans (recent messages, stored ratings):
      // those wide rows are then filtered where they are read, not shuffled to be filtered
      touched = dev.chatledger.jobs.silver.NightKeys.joinable(
          horizon.touched().select(col("phone_number_id").as("_c_phone"), col("user_key").as("_c_user")));
      conversations = byConversation(conversations, touched, "left_semi");
    }
    Dataset<Row> windows = EntryPointWindow.mark(CustomerServiceWindow.mark(conversations))
        .where(col("direction").equalTo("outbound"));
    if (horizon != null) {
      Dataset<Row> carried = horizon.carried().select(col("message_id").as("_carried_id"));
      windows = windows
          .join(org.apache.spark.sql.functions.broadcast(carried), col("message_id").equalTo(col("_carried_id")), "left")
          .where(to_date(col("sent_at")).geq(org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(horizon.from())))
              .or(col("_carried_id").isNotNull()))
          .drop("_carried_id");
    }
    Dataset<Row> delivered = Delivery.withDeliveredAt(windows, statuses);
    Dataset<Row> local = BusinessTime.withBusiness(delivered, businesses);
    // market and category do not depend on the quota: worked out first, so that the messages of
    // quiet conversations join here, with what their stored rows already hold
    Dataset<Row> beforeQuota = RateCard.withCategory(Market.assign(PricingPolicy.apply(local), markets), rateCard)
        .select(PriorRating.beforeQuotaColumns());
    Dataset<Row> kept = null; // stored rows that keep their price: not ordered again
    if (keepsQuietConversations) {
      Dataset<Row> quiet = byConversation(horizon.stored(), touched, "left_anti");
      PriorRating.Split split = PriorRating.split(quiet, horizon.receiptsTonight(), horizon.tierCrossings(),
          horizon.quotaCrossings(), horizon.crossingMonths());
      beforeQuota = beforeQuota.unionByName(split.rerated());
      kept = split.kept();
    }
    Dataset<Row> priced = ServiceQuota.apply(beforeQuota, horizon == null ? null : horizon.quotaOffsets())
        .withColumn("billable", col("delivered_at").isNotNull()
            .and(org.apache.spark.sql.functions.coalesce(col("pricing_type").equalTo("regular"), org.apache.spark.sql.functions.lit(false))));
    // the counts of a re-rated message whose group cannot cross a threshold tonight leave out the
    // kept rows: they may be off, but on the same side of every threshold (ThresholdCrossings)
    Dataset<Row> rated = RateCard.price(Tiering.count(priced, horizon == null ? null : horizon.tierOffsets()), rateCard, CURRENCY)
        .withColumn("revenue_date", to_date(col("delivered_at")))
        .withColumn("sent_date", to_date(col("sent_at")))
        .withColumn("is_unrated", col("is_unrated").or(col("policy").isNull().and(col("delivered_at").isNotNull())));
    return kept == null ? rated : rated.unionByName(kept, true);
  }

  /**
   * {@code rows} joined ({@code left_semi} or {@code left_anti}) with conversations
   * ({@code _c_phone}, {@code _c_user}) on (phone_number_id, user_key), null-safe: a null key is a
   * conversation too.
   */
  private static Dataset<Row> byConversation(Dataset<Row> rows, Dataset<Row> conversations, String how) {
    return rows.join(conversations, rows.col("phone_number_id").eqNullSafe(conversations.col("_c_phone"))
        .and(rows.col("user_key").eqNullSafe(conversations.col("_c_user"))), how);
  }
}
