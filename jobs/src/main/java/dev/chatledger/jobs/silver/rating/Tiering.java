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
 * Marginal volume tiers (CONTRACT 2, 7): n = the number of billable messages (unrated ones
 * included) of the same (business_id, market, category) delivered earlier in the same LOCAL
 * calendar month, ordered by (delivered_at, message_id). One shuffle.
 */
public final class Tiering {
  private Tiering() {}

  /** Adds {@code local_month} (of delivered_at) and {@code tier_position} (n, null when not billable). */
  public static Dataset<Row> count(Dataset<Row> messages) {
    return count(messages, null);
  }

  /**
   * As {@link #count(Dataset)}, for messages that all come after {@code earlier} in their month:
   * {@code earlier} has, per (business_id, market, category, local_month), {@code tier_offset} =
   * how many billable messages were delivered before them (the month-to-date counter of a night
   * that re-rates only its recent messages). Null: the messages are the whole month.
   */
  public static Dataset<Row> count(Dataset<Row> messages, Dataset<Row> earlier) {
    Dataset<Row> withMonth = messages.withColumn("local_month", BusinessTime.localMonth(col("delivered_at")));
    Column offset = lit(0L);
    if (earlier != null) {
      Dataset<Row> e = earlier.select(col("business_id").as("_t_business"), col("market").as("_t_market"),
          col("category").as("_t_category"), col("local_month").as("_t_month"), col("tier_offset"));
      withMonth = withMonth.join(broadcast(e), col("business_id").equalTo(col("_t_business"))
          .and(col("market").equalTo(col("_t_market"))).and(col("category").equalTo(col("_t_category")))
          .and(col("local_month").equalTo(col("_t_month"))), "left")
          .drop("_t_business", "_t_market", "_t_category", "_t_month");
      offset = coalesce(col("tier_offset"), lit(0L));
    }
    Dataset<Row> counted = withMonth
        .withColumn("tier_position", when(col("billable"), row_number().over(
                Window.partitionBy(col("business_id"), col("market"), col("category"), col("local_month"), col("billable"))
                    .orderBy(col("delivered_at"), col("message_id")))
            .minus(lit(1)).plus(offset).cast("bigint")));
    return earlier == null ? counted : counted.drop("tier_offset");
  }

  /** The month-to-date counters of {@link #count(Dataset, Dataset)}, from {@link MonthToDate#counters}. */
  public static Dataset<Row> offsets(Dataset<Row> monthToDate) {
    return monthToDate
        .groupBy("business_id", "market", "category", "local_month")
        .agg(org.apache.spark.sql.functions.sum("billable_messages").cast("bigint").as("tier_offset"));
  }
}
