package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.from_utc_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Business-local time (CONTRACT 2): the business's time zone from businesses.csv, UTC when the
 * business is unknown. Policies, rate-card rows and tier months are chosen on local dates.
 */
public final class BusinessTime {
  private BusinessTime() {}

  /** Adds {@code timezone} and {@code business_country} (null when unknown); broadcast join. */
  public static Dataset<Row> withBusiness(Dataset<Row> messages, Dataset<Row> businesses) {
    Dataset<Row> zones = businesses.select(
        col("business_id").as("_business_id"), col("timezone").as("_timezone"), col("country").as("business_country"));
    return messages
        .join(broadcast(zones), messages.col("business_id").equalTo(zones.col("_business_id")), "left")
        .withColumn("timezone", coalesce(col("_timezone"), lit("UTC")))
        .drop("_business_id", "_timezone");
  }

  /** The local date of an instant in the row's {@code timezone}. */
  public static Column localDate(Column instant) {
    return to_date(from_utc_timestamp(instant, col("timezone")));
  }

  /** The local calendar month, {@code YYYY-MM}. */
  public static Column localMonth(Column instant) {
    return date_format(from_utc_timestamp(instant, col("timezone")), "yyyy-MM");
  }
}
