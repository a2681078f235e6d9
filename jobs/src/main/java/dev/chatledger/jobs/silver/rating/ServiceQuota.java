package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Under {@code pmp-2026-10} the first 1,000 DELIVERED service messages outside an entry point
 * window per (phone_number_id, local month of delivered_at), ordered by (delivered_at,
 * message_id), are free; later ones are {@code regular} at the service rate. An undelivered one
 * is free and uses no quota (CONTRACT 7). One shuffle.
 */
public final class ServiceQuota {
  public static final int FREE_SERVICE_MESSAGES_PER_MONTH = 1_000;

  private ServiceQuota() {}

  /** Resolves {@link PricingPolicy#QUOTA_PENDING}; adds {@code service_quota_position} (1-based). */
  public static Dataset<Row> apply(Dataset<Row> priced) {
    return apply(priced, null);
  }

  /**
   * As {@link #apply(Dataset)}, for messages that all come after {@code earlier} in their month:
   * {@code earlier} has, per (phone_number_id, local_month), {@code quota_offset} = how many
   * quota messages were delivered before them. Null: the messages are the whole month.
   */
  public static Dataset<Row> apply(Dataset<Row> priced, Dataset<Row> earlier) {
    Column pending = col("pricing_type").equalTo(PricingPolicy.QUOTA_PENDING);
    Column counted = pending.and(col("delivered_at").isNotNull());
    Dataset<Row> withMonth = priced.withColumn("_quota_month", BusinessTime.localMonth(col("delivered_at")));
    Column offset = lit(0L);
    if (earlier != null) {
      Dataset<Row> e = earlier.select(col("phone_number_id").as("_q_phone"), col("local_month").as("_q_month"),
          col("quota_offset"));
      withMonth = withMonth.join(broadcast(e), col("phone_number_id").equalTo(col("_q_phone"))
          .and(col("_quota_month").equalTo(col("_q_month"))), "left").drop("_q_phone", "_q_month");
      offset = coalesce(col("quota_offset"), lit(0L));
    }
    Column position = when(counted, row_number().over(
        Window.partitionBy(col("phone_number_id"), col("_quota_month"), counted)
            .orderBy(col("delivered_at"), col("message_id"))).plus(offset).cast("bigint"));
    Dataset<Row> out = withMonth
        .withColumn("service_quota_position", position)
        .withColumn("pricing_type", when(pending,
            when(col("service_quota_position").gt(FREE_SERVICE_MESSAGES_PER_MONTH), lit("regular"))
                .otherwise(lit("free_customer_service")))
            .otherwise(col("pricing_type")))
        .drop("_quota_month");
    return earlier == null ? out : out.drop("quota_offset");
  }

  /**
   * Whether a rated message used the quota (it counts towards the 1,000): one the quota decided
   * ({@link PricingPolicy#decidedByQuota}) and that was delivered. Needs the stored columns.
   */
  public static Column usesQuota() {
    return PricingPolicy.decidedByQuota().and(col("delivered_at").isNotNull());
  }

  /** The month-to-date counters of {@link #apply(Dataset, Dataset)}, from {@link MonthToDate#counters}. */
  public static Dataset<Row> offsets(Dataset<Row> monthToDate) {
    return monthToDate
        .groupBy("phone_number_id", "local_month")
        .agg(org.apache.spark.sql.functions.sum("quota_messages").cast("bigint").as("quota_offset"));
  }
}
