package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The rated messages of conversations a night brought no message for. Their windows, policy,
 * market and category are what the last night worked out (they depend on the conversation's
 * messages and the reference files only, and a changed reference file re-rates everything), and
 * their delivery is the stored one with tonight's receipts added (statuses are only ever added).
 * What a late delivery elsewhere can still change, the quota and tier positions and so the price,
 * is worked out again with the re-rated messages ({@link MessageRating}), for the groups where the
 * price can move ({@link ThresholdCrossings}); elsewhere the stored row is kept as it is.
 */
public final class PriorRating {
  private PriorRating() {}

  /** The columns a message has before the service quota, tiers and price are applied. */
  static final String[] BEFORE_QUOTA = {"message_id", "business_id", "phone_number_id", "user_key", "user_country",
      "market", "market_source", "type", "template_category", "category", "policy", "pricing_type", "sent_at",
      "delivered_at", "read_at", "timezone", "service_window_opened_at", "service_window_opened_by",
      "entry_point_opened_at", "entry_point_opened_by"};

  /**
   * The stored rows to re-rate, back in their state before the quota (the pricing type of a
   * service message the quota decides is pending again, see {@link PricingPolicy}, and tonight's
   * earliest delivered and read receipts move their delivery earlier), and those kept as they
   * are: a row whose delivery no receipt tonight moves earlier (a read receipt after it only sets
   * read_at) and whose tier group and phone number cannot cross a threshold tonight
   * ({@link ThresholdCrossings}) keeps its delivery, its group, and a tier and quota position on
   * the same side of every threshold, so its stored price and pricing type stand. Both come from
   * one join with the receipts.
   *
   * @param tierCrossings (business_id, market, category) that may cross; null: every row is re-rated
   * @param quotaCrossings phone_number_id that may cross
   * @param months the months the crossings were checked for
   * @return {@code kept} is null when every row is re-rated
   */
  static Split split(Dataset<Row> stored, Dataset<Row> receiptsTonight, Dataset<Row> tierCrossings,
      Dataset<Row> quotaCrossings, java.util.List<String> months) {
    // few (the receipts of tonight's own messages go with their conversations): broadcast into the
    // scan, so that the stored rows are not shuffled, neither the kept ones nor the re-rated ones
    Dataset<Row> receipts = dev.chatledger.jobs.silver.NightKeys.joinable(
        Delivery.earliestReceipts(receiptsTonight, "_receipt_id")
            .withColumnRenamed("delivered_at", "_delivered_at").withColumnRenamed("read_at", "_read_at"));
    Dataset<Row> marked = stored.join(receipts, col("message_id").equalTo(col("_receipt_id")), "left");
    Column rerate = lit(true);
    if (tierCrossings != null) {
      Dataset<Row> tiers = tierCrossings.select(col("business_id").as("_x_business"), col("market").as("_x_market"),
          col("category").as("_x_category"), lit(true).as("_x_tier"));
      Dataset<Row> phones = quotaCrossings.select(col("phone_number_id").as("_x_phone"), lit(true).as("_x_quota"));
      marked = marked
          .join(broadcast(tiers), col("business_id").eqNullSafe(col("_x_business"))
              .and(col("market").eqNullSafe(col("_x_market"))).and(col("category").eqNullSafe(col("_x_category"))), "left")
          .join(broadcast(phones), col("phone_number_id").eqNullSafe(col("_x_phone")), "left");
      // a receipt that does not move the delivery earlier (a read after it) changes only read_at
      Column movesDelivery = col("_delivered_at").isNotNull()
          .and(col("delivered_at").isNull().or(col("_delivered_at").lt(col("delivered_at"))));
      // only a service message under pmp-2026-10 can use the quota: a template of such a phone
      // number keeps its row unless its tier group may cross
      Column mayUseQuota = org.apache.spark.sql.functions.coalesce( // never null: a row is kept or re-rated
          col("type").notEqual("template").and(col("policy").equalTo(PricingPolicy.PMP_2026_10)), lit(false));
      rerate = movesDelivery.or(col("_x_tier").isNotNull()).or(col("_x_quota").isNotNull().and(mayUseQuota))
          // delivered in a month the crossings were not checked for (a clock far off): ordered again
          .or(col("local_month").isNotNull().and(col("local_month").isin((Object[]) months.toArray()).unary_$bang()));
    }
    Dataset<Row> rerated = marked.where(rerate)
        .withColumn("delivered_at", least(col("delivered_at"), col("_delivered_at")))
        .withColumn("read_at", least(col("read_at"), col("_read_at")))
        .withColumn("pricing_type", when(PricingPolicy.decidedByQuota(), lit(PricingPolicy.QUOTA_PENDING))
            .otherwise(col("pricing_type")))
        .select(beforeQuotaColumns());
    Dataset<Row> kept = tierCrossings == null ? null : marked.where(rerate.unary_$bang())
        .withColumn("read_at", least(col("read_at"), col("_read_at")))
        .select(java.util.Arrays.stream(stored.columns()).map(c -> col(c)).toArray(Column[]::new));
    return new Split(rerated, kept);
  }

  /** What {@link #split} returns. */
  record Split(Dataset<Row> rerated, Dataset<Row> kept) {}

  /** {@link #BEFORE_QUOTA} as columns, in order. */
  static Column[] beforeQuotaColumns() {
    return java.util.Arrays.stream(BEFORE_QUOTA).map(c -> col(c)).toArray(Column[]::new);
  }
}
