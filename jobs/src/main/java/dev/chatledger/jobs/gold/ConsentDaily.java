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
   * A night's rows from its consent horizon {@code from} on, as the published rows changed by the
   * consent events that arrived since the publication: every figure is a sum over (business, user)
   * pairs, so only the pairs of {@code arrived} are evaluated again, with and without those events,
   * and the difference is added to the published day (the base from that day on). A night's cost
   * follows its events, not the history of all pairs; with nothing arrived (a re-run) the
   * published rows stay. The marketing recipients come from {@code rated} for revenue dates on or
   * after {@code rerated} (the rating horizon) and from the published rows before it.
   *
   * @param published {@code gold.consent_daily} as published (every date: the base before {@code from})
   * @param history the consent events that decide every pair's state from {@code from} on
   *     (all of them, or {@link ConsentState#since} of them), {@code arrived} included
   * @param arrived the consent events that came since the publication (all dated from {@code from} on)
   */
  public static Dataset<Row> since(Dataset<Row> published, Dataset<Row> history, Dataset<Row> arrived,
      Dataset<Row> rated, java.time.LocalDate from, java.time.LocalDate rerated) {
    Column fromHorizon = col("date").geq(lit(java.sql.Date.valueOf(from)));
    Dataset<Row> now = ConsentState.ofPairsIn(history, arrived);
    Dataset<Row> change = pairDays(now, 1L).unionByName(pairDays(ConsentState.before(now, arrived), -1L))
        .where(fromHorizon)
        .groupBy("date", "business_id")
        .agg(sum("prompts").as("d_prompts"), sum("opt_ins").as("d_opt_ins"), sum("opt_outs").as("d_opt_outs"),
            sum("blocks").as("d_blocks"), sum("unblocks").as("d_unblocks"),
            sum("blocking").as("d_blocking_users"), sum("base_change").as("d_base_change"));

    String[] key = {"date", "business_id"};
    Dataset<Row> kept = published.where(fromHorizon).select(col("date"), col("business_id"), col("prompts"),
        col("opt_ins"), col("opt_outs"), col("blocks"), col("unblocks"), col("blocking_users"),
        col("active_optin_base").as("_published_base"), col("marketing_recipients").as("_published_marketing"));
    Column recent = col("revenue_date").geq(lit(java.sql.Date.valueOf(rerated)));
    Dataset<Row> marketing = kept
        .where(col("date").lt(lit(java.sql.Date.valueOf(rerated))).and(col("_published_marketing").gt(0)))
        .select(col("date"), col("business_id"), col("_published_marketing").as("marketing_recipients"))
        .unionByName(marketingRecipients(rated.where(recent)));
    // each business's base on its last published day before the horizon
    Dataset<Row> start = published.where(fromHorizon.unary_$bang())
        .groupBy(col("business_id").as("_s_business"))
        .agg(org.apache.spark.sql.functions.max_by(col("active_optin_base"), col("date")).as("_start_base"));

    Dataset<Row> days = kept.join(change, key, "full_outer").join(marketing, key, "full_outer")
        .join(start, col("business_id").equalTo(col("_s_business")), "left");
    for (String c : new String[] {"prompts", "opt_ins", "opt_outs", "blocks", "unblocks", "blocking_users"}) {
      days = days.withColumn(c, coalesce(col(c), lit(0L)).plus(coalesce(col("d_" + c), lit(0L))));
    }
    // the published base of the day (or of the latest published day before it), plus every change since the horizon
    org.apache.spark.sql.expressions.WindowSpec upToTheDay = Window.partitionBy("business_id").orderBy("date")
        .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    Column base = coalesce(org.apache.spark.sql.functions.last(col("_published_base"), true).over(upToTheDay),
            col("_start_base"), lit(0L))
        .plus(sum(coalesce(col("d_base_change"), lit(0L))).over(upToTheDay));
    return days
        .withColumn("active_optin_base", base)
        .na().fill(0L, new String[] {"marketing_recipients"})
        .where(col("prompts").plus(col("opt_ins")).plus(col("opt_outs")).plus(col("blocks")).plus(col("unblocks")).gt(0)
            .or(col("marketing_recipients").gt(0)))
        .withColumn("block_rate", when(col("marketing_recipients").gt(0),
            col("blocking_users").cast("double").divide(col("marketing_recipients"))))
        .select("date", "business_id", "prompts", "opt_ins", "opt_outs", "blocks", "unblocks", "blocking_users",
            "marketing_recipients", "active_optin_base", "block_rate");
  }

  /**
   * Per (date, business_id, user_key), {@code sign} times: the pair's events of the day by action,
   * whether it blocked that day ({@code blocking}, 0 or 1) and {@code base_change}: +1 when its
   * last event of the day leaves it active after a day that left it inactive, -1 the other way
   * round. Summed over pairs, the columns of {@link #withMarketing}.
   */
  static Dataset<Row> pairDays(Dataset<Row> consents, long sign) {
    Dataset<Row> days = ConsentState.afterEachEvent(consents.withColumn("date", to_date(col("occurred_at"))))
        .groupBy("business_id", "user_key", "date")
        .agg(countOf("prompt").as("prompts"), countOf("opt_in").as("opt_ins"), countOf("opt_out").as("opt_outs"),
            countOf("block").as("blocks"), countOf("unblock").as("unblocks"),
            org.apache.spark.sql.functions.max(when(col("action").equalTo("block").and(col("user_key").isNotNull()), lit(1L))
                .otherwise(lit(0L))).as("blocking"),
            org.apache.spark.sql.functions.max_by(when(col("active_optin"), lit(1L)).otherwise(lit(0L)),
                org.apache.spark.sql.functions.struct(col("occurred_at"), col("event_id"))).as("_active"));
    Column s = lit(sign);
    return days
        .withColumn("base_change", col("_active").minus(
            lag(col("_active"), 1, 0L).over(Window.partitionBy("business_id", "user_key").orderBy("date"))))
        .select(col("date"), col("business_id"), col("prompts").multiply(s).as("prompts"),
            col("opt_ins").multiply(s).as("opt_ins"), col("opt_outs").multiply(s).as("opt_outs"),
            col("blocks").multiply(s).as("blocks"), col("unblocks").multiply(s).as("unblocks"),
            col("blocking").multiply(s).as("blocking"), col("base_change").multiply(s).as("base_change"));
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
