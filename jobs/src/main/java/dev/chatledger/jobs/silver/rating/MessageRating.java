package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What every outbound message costs (CONTRACT 2, 7), as a chain of the named rules:
 * delivery, business time, the two conversation windows, the pricing policy, the service quota,
 * market, category, tiers and the rate card. Pure: silver tables in, one row per outbound
 * message out.
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
   */
  public record Horizon(java.time.LocalDate from, Dataset<Row> carried, Dataset<Row> tierOffsets,
      Dataset<Row> quotaOffsets) {}

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
    Dataset<Row> priced = ServiceQuota.apply(PricingPolicy.apply(local), horizon == null ? null : horizon.quotaOffsets())
        .withColumn("billable", col("delivered_at").isNotNull()
            .and(org.apache.spark.sql.functions.coalesce(col("pricing_type").equalTo("regular"), org.apache.spark.sql.functions.lit(false))));
    Dataset<Row> categorized = RateCard.withCategory(Market.assign(priced, markets), rateCard);
    return RateCard.price(Tiering.count(categorized, horizon == null ? null : horizon.tierOffsets()), rateCard, CURRENCY)
        .withColumn("revenue_date", to_date(col("delivered_at")))
        .withColumn("sent_date", to_date(col("sent_at")))
        .withColumn("is_unrated", col("is_unrated").or(col("policy").isNull().and(col("delivered_at").isNotNull())));
  }
}
