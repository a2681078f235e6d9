package dev.chatledger.jobs.silver.rating;

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
    Column pending = col("pricing_type").equalTo(PricingPolicy.QUOTA_PENDING);
    Column counted = pending.and(col("delivered_at").isNotNull());
    Column position = when(counted, row_number().over(
        Window.partitionBy(col("phone_number_id"), col("_quota_month"), counted)
            .orderBy(col("delivered_at"), col("message_id"))).cast("bigint"));
    return priced
        .withColumn("_quota_month", BusinessTime.localMonth(col("delivered_at")))
        .withColumn("service_quota_position", position)
        .withColumn("pricing_type", when(pending,
            when(col("service_quota_position").gt(FREE_SERVICE_MESSAGES_PER_MONTH), lit("regular"))
                .otherwise(lit("free_customer_service")))
            .otherwise(col("pricing_type")))
        .drop("_quota_month");
  }
}
