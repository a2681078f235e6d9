package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The month-to-date counters of the messages a night does not re-rate: per (business_id,
 * market, category, phone_number_id, local_month), how many were billable (the tiers) and how
 * many used the free service quota. Both {@link Tiering#offsets} and {@link ServiceQuota#offsets}
 * roll them up, so the month's rated messages are scanned once, not once per counter.
 */
public final class MonthToDate {
  private MonthToDate() {}

  public static Dataset<Row> counters(Dataset<Row> ratedBefore) {
    return ratedBefore
        .withColumn("_uses_quota", ServiceQuota.usesQuota())
        .where(col("billable").or(col("_uses_quota")))
        .groupBy("business_id", "market", "category", "phone_number_id", "local_month")
        .agg(count(when(col("billable"), lit(1))).as("billable_messages"),
            count(when(col("_uses_quota"), lit(1))).as("quota_messages"));
  }
}
