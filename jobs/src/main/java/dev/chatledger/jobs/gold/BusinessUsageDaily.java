package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percentile;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code gold.business_usage_daily}: per UTC day, business country and account type (from
 * businesses.csv; null for a business it does not list). Active businesses sent or received a
 * message that day; a new business had its first message ever that day; onboarding is the time
 * from {@code registered_at} to the first template ever, in hours, as an exact median and 90th
 * percentile (linearly interpolated) over the businesses whose first template was that day.
 */
public final class BusinessUsageDaily {
  private static final double MICROS_PER_HOUR = 3_600_000_000d;

  private BusinessUsageDaily() {}

  /**
   * @param usage {@link RegionalUsageDaily#usage}: inbound and outbound messages
   * @param rated {@code silver.rated_messages} for revenue by revenue_date
   * @param businesses {@code silver.businesses}
   * @param firsts {@link #firsts} of all messages (a new business is new against all history)
   */
  /** As {@link #from(Dataset, Dataset, Dataset, Dataset)}, with the usage frame as all history. */
  public static Dataset<Row> from(Dataset<Row> usage, Dataset<Row> rated, Dataset<Row> businesses) {
    return from(usage, rated, businesses, firsts(usage));
  }

  /** Per business, its first message ever (either direction) and first template (from silver or usage rows). */
  public static Dataset<Row> firsts(Dataset<Row> messages) {
    Column template = col("direction").equalTo("outbound").and(col("type").equalTo("template"));
    return messages.groupBy(col("business_id").as("f_business_id"))
        .agg(min(col("sent_at")).as("first_message_at"), min(when(template, col("sent_at"))).as("first_template_at"));
  }

  /**
   * {@link #firsts} of all messages, from {@code earlier} ({@code silver.business_firsts}: the firsts
   * before) and the messages that arrived since: a first can only move earlier.
   */
  public static Dataset<Row> firsts(Dataset<Row> earlier, Dataset<Row> arrived) {
    return earlier.select(col("business_id").as("f_business_id"), col("first_message_at"), col("first_template_at"))
        .unionByName(firsts(arrived))
        .groupBy("f_business_id")
        .agg(min("first_message_at").as("first_message_at"), min("first_template_at").as("first_template_at"));
  }

  /** {@link #firsts} as {@code silver.business_firsts} rows. */
  public static Dataset<Row> firstsRows(Dataset<Row> firsts) {
    return firsts.withColumnRenamed("f_business_id", "business_id");
  }

  public static Dataset<Row> from(Dataset<Row> usage, Dataset<Row> rated, Dataset<Row> businesses,
      Dataset<Row> firsts) {
    Column outbound = col("direction").equalTo("outbound");
    Column template = outbound.and(col("type").equalTo("template"));
    Dataset<Row> perDay = usage.groupBy(col("sent_date").as("date"), col("business_id"))
        .agg(count(when(outbound, lit(1))).as("outbound_messages"),
            count(when(col("direction").equalTo("inbound"), lit(1))).as("inbound_messages"),
            count(when(template, lit(1))).as("templates"));
    Dataset<Row> revenue = rated.where(col("revenue_date").isNotNull())
        .groupBy(col("revenue_date").as("date"), col("business_id"))
        .agg(sum(col("price")).as("revenue"));
    Dataset<Row> b = businesses.select(col("business_id").as("b_business_id"), col("country").as("business_country"),
        col("account_type"), col("verified"), col("registered_at"));

    Dataset<Row> days = perDay.join(revenue, new String[] {"date", "business_id"}, "full_outer")
        .join(firsts, col("business_id").equalTo(col("f_business_id")), "left")
        .join(broadcast(b), col("business_id").equalTo(col("b_business_id")), "left");
    Column active = coalesce(col("outbound_messages"), lit(0L)).plus(coalesce(col("inbound_messages"), lit(0L))).gt(0);
    Column onboardingHours = when(to_date(col("first_template_at")).equalTo(col("date")),
        unix_micros(col("first_template_at")).minus(unix_micros(col("registered_at"))).cast("double")
            .divide(MICROS_PER_HOUR));
    return days.withColumn("onboarding_hours", onboardingHours)
        .groupBy("date", "business_country", "account_type")
        .agg(count(when(active, lit(1))).as("active_businesses"),
            count(when(active.and(to_date(col("first_message_at")).equalTo(col("date"))), lit(1))).as("new_businesses"),
            coalesce(sum("outbound_messages"), lit(0L)).as("outbound_messages"),
            coalesce(sum("inbound_messages"), lit(0L)).as("inbound_messages"),
            coalesce(sum("templates"), lit(0L)).as("templates"),
            coalesce(sum("revenue"), lit(0).cast("decimal(18,6)")).as("revenue"),
            count(when(active.and(col("verified")), lit(1))).as("verified_businesses"),
            count(col("onboarding_hours")).as("onboarded_businesses"),
            percentile(col("onboarding_hours"), lit(0.5)).as("onboarding_median_hours"),
            percentile(col("onboarding_hours"), lit(0.9)).as("onboarding_p90_hours"))
        .withColumn("verified_share", RegionalUsageDaily.ratio("verified_businesses", "active_businesses"));
  }
}
