package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.chatledger.jobs.silver.consent.ConsentState;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code gold.consent_violations} (CONTRACT 4, 7): every outbound template, of any category and
 * delivery status, sent to a user without an active opt-in to that business at {@code sent_at}.
 * A user is whoever the template's {@code user_key} names: a user known to the business only by
 * a business-scoped id is a different key from the same person's phone number.
 */
public final class ConsentViolations {
  private ConsentViolations() {}

  /**
   * @param rated {@code silver.rated_messages} (one row per outbound message)
   * @param consents silver consent events
   */
  public static Dataset<Row> from(Dataset<Row> rated, Dataset<Row> consents) {
    Dataset<Row> templates = rated.where(col("type").equalTo("template"))
        .select(col("message_id"), col("business_id"), col("user_key"), col("user_country"), col("market"),
            col("sent_at"), col("sent_date"), col("template_category").as("category"));
    return ConsentState.asOf(templates, "sent_at", consents)
        .where(col("active_optin").unary_$bang())
        .withColumn("reason", when(col("blocked"), lit("blocked"))
            .when(col("opted_in").unary_$bang(), lit("no_active_opt_in")))
        .drop("opted_in", "blocked", "active_optin");
  }
}
