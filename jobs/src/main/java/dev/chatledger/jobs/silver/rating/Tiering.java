package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

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
    return messages
        .withColumn("local_month", BusinessTime.localMonth(col("delivered_at")))
        .withColumn("tier_position", when(col("billable"), row_number().over(
                Window.partitionBy(col("business_id"), col("market"), col("category"), col("local_month"), col("billable"))
                    .orderBy(col("delivered_at"), col("message_id")))
            .minus(lit(1)).cast("bigint")));
  }
}
