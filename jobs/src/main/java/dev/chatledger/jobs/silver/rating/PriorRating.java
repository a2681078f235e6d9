package dev.chatledger.jobs.silver.rating;

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
 * is worked out again with the re-rated messages ({@link MessageRating}).
 */
public final class PriorRating {
  private PriorRating() {}

  /** The columns a message has before the service quota, tiers and price are applied. */
  static final String[] BEFORE_QUOTA = {"message_id", "business_id", "phone_number_id", "user_key", "user_country",
      "market", "market_source", "type", "template_category", "category", "policy", "pricing_type", "sent_at",
      "delivered_at", "read_at", "timezone", "service_window_opened_at", "service_window_opened_by",
      "entry_point_opened_at", "entry_point_opened_by"};

  /**
   * Stored rows of {@code silver.rated_messages} back in their state before the quota: the
   * pricing type of a service message the quota decides is pending again ({@link PricingPolicy}:
   * a non-template message under {@code pmp-2026-10} outside an entry point window), and the
   * earliest delivered and read statuses of {@code receiptsTonight} move their delivery earlier.
   */
  static Dataset<Row> beforeQuota(Dataset<Row> stored, Dataset<Row> receiptsTonight) {
    Dataset<Row> receipts = Delivery.earliestReceipts(receiptsTonight, "_receipt_id")
        .withColumnRenamed("delivered_at", "_delivered_at").withColumnRenamed("read_at", "_read_at");
    return stored
        .join(receipts, col("message_id").equalTo(col("_receipt_id")), "left")
        .withColumn("delivered_at", least(col("delivered_at"), col("_delivered_at")))
        .withColumn("read_at", least(col("read_at"), col("_read_at")))
        .withColumn("pricing_type", when(PricingPolicy.decidedByQuota(), lit(PricingPolicy.QUOTA_PENDING))
            .otherwise(col("pricing_type")))
        .select(beforeQuotaColumns());
  }

  /** {@link #BEFORE_QUOTA} as columns, in order. */
  static Column[] beforeQuotaColumns() {
    return java.util.Arrays.stream(BEFORE_QUOTA).map(c -> col(c)).toArray(Column[]::new);
  }
}
