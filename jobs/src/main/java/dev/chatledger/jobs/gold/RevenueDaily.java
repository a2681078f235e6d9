package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code gold.revenue_daily}: delivered messages only (CONTRACT 7), per UTC delivery date,
 * business, recipient country, market, category and pricing type; never summed across currencies.
 */
public final class RevenueDaily {
  private RevenueDaily() {}

  public static Dataset<Row> from(Dataset<Row> rated) {
    return rated.where(col("delivered_at").isNotNull())
        .groupBy("revenue_date", "business_id", "user_country", "market", "category", "pricing_type", "currency")
        .agg(count(lit(1)).as("delivered_messages"),
            count(when(col("billable"), lit(1))).as("billable_messages"),
            sum(col("price")).cast("decimal(18,6)").as("revenue"));
  }
}
