package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import dev.chatledger.jobs.silver.consent.ConsentState;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * {@code gold.consent_daily} (CONTRACT 4, 7): per UTC day and business, the consent events of
 * the day, the active opt-in base at the end of the day (inclusive) and the block rate.
 *
 * <p>The base is a running state: each (business, user) contributes +1 on the day its last event
 * leaves it active after a day that left it inactive, -1 the other way round, and the base is the
 * running sum of those changes. A day is therefore the previous day's base plus the day's
 * events, without re-evaluating every user on every day.
 */
public final class ConsentDaily {
  private ConsentDaily() {}

  /**
   * @param consents silver consent events (deduplicated)
   * @param rated {@code silver.rated_messages}: marketing recipients by UTC date of delivery
   */
  public static Dataset<Row> from(Dataset<Row> consents, Dataset<Row> rated) {
    return withMarketing(consents, marketingRecipients(rated));
  }

  /**
   * A night's rows from its consent horizon on: the consent figures from {@code consents}
   * ({@link dev.chatledger.jobs.silver.consent.ConsentState#since} of that horizon), the marketing
   * recipients from {@code rated} for revenue dates on or after {@code rerated} (the night's rating
   * horizon; a message delivered before it is not re-rated, so earlier dates cannot change) and
   * from the {@code published} rows before it.
   */
  public static Dataset<Row> since(Dataset<Row> consents, Dataset<Row> rated, Dataset<Row> published,
      java.time.LocalDate rerated) {
    Column recent = col("revenue_date").geq(lit(java.sql.Date.valueOf(rerated)));
    Dataset<Row> before = published
        .where(col("date").lt(lit(java.sql.Date.valueOf(rerated))).and(col("marketing_recipients").gt(0)))
        .select("date", "business_id", "marketing_recipients");
    return withMarketing(consents, before.unionByName(marketingRecipients(rated.where(recent))));
  }

  /** Distinct users delivered a marketing template, per UTC date of delivery and business. */
  private static Dataset<Row> marketingRecipients(Dataset<Row> rated) {
    return rated
        .where(col("template_category").equalTo("marketing").and(col("delivered_at").isNotNull()))
        .groupBy(col("revenue_date").as("date"), col("business_id"))
        .agg(count_distinct(col("user_key")).as("marketing_recipients"));
  }

  private static Dataset<Row> withMarketing(Dataset<Row> consents, Dataset<Row> marketing) {
    Dataset<Row> events = consents.withColumn("date", to_date(col("occurred_at")));
    Dataset<Row> daily = events.groupBy("date", "business_id").agg(
        countOf("prompt").as("prompts"),
        countOf("opt_in").as("opt_ins"),
        countOf("opt_out").as("opt_outs"),
        countOf("block").as("blocks"),
        countOf("unblock").as("unblocks"),
        count_distinct(when(col("action").equalTo("block"), col("user_key"))).as("blocking_users"));

    // the pair's state after its last event of each day, and the change from its previous day
    Dataset<Row> endOfDay = ConsentState.afterEachEvent(events)
        .withColumn("_last", row_number().over(Window.partitionBy("business_id", "user_key", "date")
            .orderBy(col("occurred_at").desc(), col("event_id").desc())))
        .where(col("_last").equalTo(1))
        .withColumn("_active", when(col("active_optin"), lit(1L)).otherwise(lit(0L)));
    Dataset<Row> changes = endOfDay
        .withColumn("_change", col("_active").minus(
            lag(col("_active"), 1, 0L).over(Window.partitionBy("business_id", "user_key").orderBy("date"))))
        .groupBy("date", "business_id")
        .agg(sum("_change").as("base_change"));

    String[] key = {"date", "business_id"};
    Dataset<Row> days = daily.join(changes, key, "left").join(marketing, key, "full_outer");
    Column base = sum(coalesce(col("base_change"), lit(0L)))
        .over(Window.partitionBy("business_id").orderBy("date")
            .rowsBetween(Window.unboundedPreceding(), Window.currentRow()));
    return days
        .withColumn("active_optin_base", base)
        .na().fill(0L, new String[] {"prompts", "opt_ins", "opt_outs", "blocks", "unblocks",
            "blocking_users", "marketing_recipients"})
        .withColumn("block_rate", when(col("marketing_recipients").gt(0),
            col("blocking_users").cast("double").divide(col("marketing_recipients"))))
        .drop("base_change");
  }

  private static Column countOf(String action) {
    return count(when(col("action").equalTo(action), lit(1)));
  }
}
