package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The recipient's pricing market (CONTRACT 2): user_country (phone-number region, else the
 * user_id prefix: decided at ingestion) mapped by markets.csv; {@code Other} when unlisted.
 */
public final class Market {
  public static final String OTHER = "Other";

  private Market() {}

  /** Adds {@code market} and {@code market_source} (markets.csv or unlisted); broadcast join. */
  public static Dataset<Row> assign(Dataset<Row> messages, Dataset<Row> markets) {
    Dataset<Row> m = markets.select(col("country").as("_country"), col("market").as("_market"));
    return messages
        .join(broadcast(m), messages.col("user_country").equalTo(m.col("_country")), "left")
        .withColumn("market", coalesce(col("_market"), lit(OTHER)))
        .withColumn("market_source", when(col("_market").isNotNull(), lit("markets.csv"))
            .otherwise(lit("country not in markets.csv")))
        .drop("_country", "_market");
  }
}
