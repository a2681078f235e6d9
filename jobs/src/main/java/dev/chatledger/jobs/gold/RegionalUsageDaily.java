package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import dev.chatledger.jobs.silver.rating.Market;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code gold.regional_usage_daily} (CONTRACT 4, 7): per UTC day, user country and market.
 * Message figures count by the UTC date of {@code sent_at}; billable messages and revenue by
 * {@code revenue_date}; a row exists for each (date, country, market) with a message or revenue.
 * Rates are null when their denominator is 0.
 */
public final class RegionalUsageDaily {
  private static final String[] KEY = {"date", "user_country", "market"};

  private RegionalUsageDaily() {}

  /**
   * Inbound messages from silver and outbound ones from the rating (its delivery, read and
   * market), in one frame with the columns both sides share.
   */
  public static Dataset<Row> usage(Dataset<Row> messages, Dataset<Row> rated, Dataset<Row> markets) {
    Column none = lit(null).cast(DataTypes.TimestampType);
    Dataset<Row> inbound = Market.assign(messages.where(col("direction").equalTo("inbound")), markets)
        .select(to_date(col("sent_at")).as("sent_date"), col("sent_at"), col("business_id"), col("user_key"), col("user_country"),
            col("market"), col("direction"), col("type"), lit(null).cast(DataTypes.StringType).as("template_category"),
            none.as("delivered_at"), none.as("read_at"));
    Dataset<Row> outbound = rated.select(to_date(col("sent_at")).as("sent_date"), col("sent_at"), col("business_id"), col("user_key"),
        col("user_country"), col("market"), lit("outbound").as("direction"), col("type"), col("template_category"),
        col("delivered_at"), col("read_at"));
    return inbound.unionByName(outbound);
  }

  public static Dataset<Row> from(Dataset<Row> messages, Dataset<Row> rated, Dataset<Row> markets) {
    Column outbound = col("direction").equalTo("outbound");
    Column inbound = col("direction").equalTo("inbound");
    Dataset<Row> traffic = usage(messages, rated, markets)
        .groupBy(col("sent_date").as("date"), col("user_country"), col("market"))
        .agg(count_distinct(col("business_id")).as("active_businesses"),
            count_distinct(col("user_key")).as("active_users"),
            count(when(inbound, lit(1))).as("inbound_messages"),
            count(when(outbound, lit(1))).as("outbound_messages"),
            templates("marketing").as("marketing_templates"),
            templates("utility").as("utility_templates"),
            templates("authentication").as("authentication_templates"),
            count(when(outbound.and(col("delivered_at").isNotNull()), lit(1))).as("delivered_messages"),
            count(when(outbound.and(col("read_at").isNotNull()), lit(1))).as("read_messages"),
            count(when(inbound.and(col("type").isin("button_reply", "list_reply")), lit(1))).as("interactive_messages"));
    Dataset<Row> revenue = rated.where(col("revenue_date").isNotNull())
        .groupBy(col("revenue_date").as("date"), col("user_country"), col("market"))
        .agg(count(when(col("billable"), lit(1))).as("billable_messages"),
            sum(col("price")).as("revenue"));
    return traffic.join(revenue, KEY, "full_outer")
        .na().fill(0L, new String[] {"active_businesses", "active_users", "inbound_messages", "outbound_messages",
            "marketing_templates", "utility_templates", "authentication_templates", "delivered_messages",
            "read_messages", "interactive_messages", "billable_messages"})
        .withColumn("revenue", coalesce(col("revenue"), lit(0).cast("decimal(18,6)")))
        .withColumn("delivered_rate", ratio("delivered_messages", "outbound_messages"))
        .withColumn("read_rate", ratio("read_messages", "outbound_messages"))
        .withColumn("interactive_share", ratio("interactive_messages", "inbound_messages"));
  }

  private static Column templates(String category) {
    return count(when(col("direction").equalTo("outbound").and(col("type").equalTo("template"))
        .and(col("template_category").equalTo(category)), lit(1)));
  }

  static Column ratio(String numerator, String denominator) {
    return when(col(denominator).gt(0), col(numerator).cast("double").divide(col(denominator)));
  }
}
