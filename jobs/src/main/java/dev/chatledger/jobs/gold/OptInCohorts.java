package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code gold.optin_cohorts} (CONTRACT 4, 7): per UTC prompt date, business and user country, the
 * users prompted and those of them whose {@code opt_in} to that business came at or after a
 * prompt of that day and at most 7 days later. One opt-in may count in several cohorts; an
 * opt-out afterwards does not undo it. Recomputed from all consent events, so a late opt-in
 * updates its cohort the night it lands.
 */
public final class OptInCohorts {
  /** How long a prompt waits for its opt-in; a cohort is final once this has passed. */
  public static final int WINDOW_DAYS = 7;

  private OptInCohorts() {}

  public static Dataset<Row> from(Dataset<Row> consents, LocalDate runDate) {
    return finish(users(consents)
        .groupBy("prompt_date", "business_id", "user_country")
        .agg(count(lit(1)).as("prompted"), count(when(col("converted"), lit(1))).as("opted_in")), runDate);
  }

  /**
   * A night's rows from prompt date {@code from} on, as the published rows changed by the consent
   * events that arrived since the publication: a cohort counts users, so only the pairs of
   * {@code arrived} are evaluated again, with and without those events, and the difference is
   * added to the published cohort. With nothing arrived (a re-run) only {@code is_final} moves.
   *
   * @param published {@code gold.optin_cohorts} as published
   * @param consents the consent events from {@code from} on, {@code arrived} included
   * @param arrived the consent events that came since the publication (all dated from {@code from} + 7 days on)
   */
  public static Dataset<Row> since(Dataset<Row> published, Dataset<Row> consents, Dataset<Row> arrived,
      LocalDate runDate, LocalDate from) {
    Dataset<Row> now = dev.chatledger.jobs.silver.consent.ConsentState.ofPairsIn(consents, arrived);
    Dataset<Row> then = dev.chatledger.jobs.silver.consent.ConsentState.before(now, arrived);
    Dataset<Row> counted = published.select("prompt_date", "business_id", "user_country", "prompted", "opted_in")
        .unionByName(counts(users(now), 1L))
        .unionByName(counts(users(then), -1L));
    // grouped, not joined: a null user_country is a cohort like any other
    return finish(counted.where(col("prompt_date").geq(lit(java.sql.Date.valueOf(from))))
        .groupBy("prompt_date", "business_id", "user_country")
        .agg(org.apache.spark.sql.functions.sum("prompted").as("prompted"),
            org.apache.spark.sql.functions.sum("opted_in").as("opted_in"))
        .where(col("prompted").gt(0)), runDate);
  }

  /** Per prompt date, business, country and user prompted that day: whether the user opted in in time. */
  private static Dataset<Row> users(Dataset<Row> consents) {
    Dataset<Row> prompts = consents.where(col("action").equalTo("prompt"))
        .select(col("business_id"), col("user_key"), col("user_country"),
            col("occurred_at").as("prompted_at"), to_date(col("occurred_at")).as("prompt_date"));
    Dataset<Row> optIns = consents.where(col("action").equalTo("opt_in"))
        .select(col("business_id").as("o_business_id"), col("user_key").as("o_user_key"),
            col("occurred_at").as("opted_in_at"));
    return prompts
        .join(optIns, prompts.col("business_id").equalTo(optIns.col("o_business_id"))
            .and(prompts.col("user_key").equalTo(optIns.col("o_user_key")))
            .and(col("opted_in_at").geq(col("prompted_at")))
            .and(col("opted_in_at").leq(col("prompted_at").plus(expr("INTERVAL " + WINDOW_DAYS + " DAYS")))),
            "left")
        // two prompts of a user on one day count that user once
        .groupBy("prompt_date", "business_id", "user_country", "user_key")
        .agg(max(col("opted_in_at").isNotNull()).as("converted"));
  }

  private static Dataset<Row> counts(Dataset<Row> users, long sign) {
    return users.select(col("prompt_date"), col("business_id"), col("user_country"), lit(sign).as("prompted"),
        when(col("converted"), lit(sign)).otherwise(lit(0L)).as("opted_in"));
  }

  private static Dataset<Row> finish(Dataset<Row> cohorts, LocalDate runDate) {
    return cohorts
        .withColumn("optin_rate", col("opted_in").cast("double").divide(col("prompted")))
        .withColumn("is_final", lit(java.sql.Date.valueOf(runDate))
            .geq(date_add(col("prompt_date"), WINDOW_DAYS)));
  }
}
