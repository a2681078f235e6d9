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
    Dataset<Row> prompts = consents.where(col("action").equalTo("prompt"))
        .select(col("business_id"), col("user_key"), col("user_country"),
            col("occurred_at").as("prompted_at"), to_date(col("occurred_at")).as("prompt_date"));
    Dataset<Row> optIns = consents.where(col("action").equalTo("opt_in"))
        .select(col("business_id").as("o_business_id"), col("user_key").as("o_user_key"),
            col("occurred_at").as("opted_in_at"));
    Dataset<Row> converted = prompts
        .join(optIns, prompts.col("business_id").equalTo(optIns.col("o_business_id"))
            .and(prompts.col("user_key").equalTo(optIns.col("o_user_key")))
            .and(col("opted_in_at").geq(col("prompted_at")))
            .and(col("opted_in_at").leq(col("prompted_at").plus(expr("INTERVAL " + WINDOW_DAYS + " DAYS")))),
            "left")
        // two prompts of a user on one day count that user once
        .groupBy("prompt_date", "business_id", "user_country", "user_key")
        .agg(max(col("opted_in_at").isNotNull()).as("converted"));
    return converted.groupBy("prompt_date", "business_id", "user_country")
        .agg(count(lit(1)).as("prompted"), count(when(col("converted"), lit(1))).as("opted_in"))
        .withColumn("optin_rate", col("opted_in").cast("double").divide(col("prompted")))
        .withColumn("is_final", lit(java.sql.Date.valueOf(runDate))
            .geq(date_add(col("prompt_date"), WINDOW_DAYS)));
  }
}
