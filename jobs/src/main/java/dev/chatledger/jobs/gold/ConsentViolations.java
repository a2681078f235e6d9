package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import dev.chatledger.jobs.silver.NightKeys;
import dev.chatledger.jobs.silver.consent.ConsentState;
import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
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
    return violating(templates(rated), consents);
  }

  /**
   * A night's violations from its consent horizon on, checking only the templates whose verdict
   * can have changed. A stored message never changes on a night that is not full (its first copy
   * wins, and the reference data is as published), so a template's verdict moves only with the
   * consent events of its pair. A template is checked from {@code rated} when it arrived tonight
   * (its message id is in {@code arrivedMessages}), or when its pair has an {@code opt_out} or
   * {@code block} that arrived tonight at or before it. A template whose pair's arrived events at
   * or before it are only {@code opt_in}, {@code unblock} or {@code prompt} can only lose its
   * violation (the state they give is at least as active): only its published row is re-checked.
   * The others keep their published row.
   *
   * <p>So {@code rated} is read only from the earliest of {@code arrivalsFrom} and tonight's earliest
   * {@code opt_out}/{@code block}: imported opt-ins that land weeks late re-check the published
   * violations of their pairs, not weeks of templates. And only the checked templates' pairs are
   * read from {@code consents} (broadcast into its scan): a night's check costs its arrivals, not
   * the size of the consent history.
   *
   * @param rated rated messages sent from the consent horizon on
   * @param consents the events that decide every pair's state from that horizon on (all of them, or
   *     {@link ConsentState#since} of them)
   * @param published {@code gold.consent_violations} from the horizon on, as published
   * @param arrived the consent events that arrived tonight
   * @param arrivedMessages the message ids that arrived tonight (any direction and type)
   * @param arrivalsFrom a date on or before the sending of every message that arrived tonight
   */
  public static Dataset<Row> since(Dataset<Row> rated, Dataset<Row> consents, Dataset<Row> published,
      Dataset<Row> arrived, Dataset<Row> arrivedMessages, LocalDate arrivalsFrom) {
    return check(rated, published, arrived, arrivedMessages, arrivalsFrom).against(consents);
  }

  /**
   * What a night checks ({@link #since}): {@code probes}, the templates checked against consent
   * (materialized), and {@code kept}, the published rows that stay as they are. Apart from the
   * consent events, so that a night can read the events of every pair it re-evaluates, for this
   * table and {@code gold.consent_daily}, in one scan of the history.
   */
  public record Check(Dataset<Row> kept, Dataset<Row> probes) {
    /** The (business_id, user_key) of the checked templates, one row per template. */
    public Dataset<Row> pairs() {
      return probes.select("business_id", "user_key");
    }

    /**
     * The violations from the horizon on, given the consent events of (at least) the checked
     * templates' pairs; the events of other pairs are not read.
     */
    public Dataset<Row> against(Dataset<Row> consents) {
      return kept.unionByName(violating(probes, ConsentState.ofPairsIn(consents, probes)));
    }
  }

  /** The templates a night checks and the published rows it keeps: {@link #since} without the consent events. */
  public static Check check(Dataset<Row> rated, Dataset<Row> published, Dataset<Row> arrived,
      Dataset<Row> arrivedMessages, LocalDate arrivalsFrom) {
    Column narrowing = col("action").isin("opt_out", "block");
    // the pairs whose consent changed tonight: as many as the night's events, broadcast (when
    // small enough) into the scans of the templates and the published rows, which then shuffle nothing
    Dataset<Row> changed = NightKeys.joinable(
        arrived.groupBy(col("business_id").as("_c_business"), col("user_key").as("_c_user"))
            .agg(min("occurred_at").as("_c_from"), min(when(narrowing, col("occurred_at"))).as("_c_narrowing")));
    Dataset<Row> fresh = NightKeys.joinable(arrivedMessages.select(col("message_id").as("_n_message")));
    Column isNew = col("_n_message").isNotNull();
    Column touched = col("_c_from").isNotNull().and(col("sent_at").geq(col("_c_from")));
    Column fromTemplate = isNew.or(col("_c_narrowing").isNotNull().and(col("sent_at").geq(col("_c_narrowing"))));
    // a literal date, so that the scan of rated prunes its sent_date partitions: one row to the driver
    Row first = arrived.where(narrowing).agg(min(to_date(col("occurred_at")))).first();
    LocalDate templatesFrom = first.isNullAt(0) || !first.getDate(0).toLocalDate().isBefore(arrivalsFrom)
        ? arrivalsFrom : first.getDate(0).toLocalDate();
    String[] marks = {"_c_business", "_c_user", "_c_from", "_c_narrowing", "_n_message"};
    Dataset<Row> toCheck = marked(templates(rated.where(col("sent_date").geq(lit(Date.valueOf(templatesFrom))))), changed, fresh)
        .where(fromTemplate).drop(marks);
    Dataset<Row> publishedRows = marked(published, changed, fresh);
    Dataset<Row> recheck = publishedRows.where(touched.and(fromTemplate.unary_$bang())).drop(marks).drop("reason");
    Dataset<Row> kept = publishedRows.where(isNew.or(touched).unary_$bang()).drop(marks);
    // read once: counted for the broadcast of its pairs, then checked
    Dataset<Row> probes = toCheck.unionByName(recheck).localCheckpoint();
    return new Check(kept, probes);
  }

  /** {@code rows} with the marks of their pair's change tonight and of their arrival tonight. */
  private static Dataset<Row> marked(Dataset<Row> rows, Dataset<Row> changed, Dataset<Row> fresh) {
    return withChange(rows, changed).join(fresh, col("message_id").equalTo(col("_n_message")), "left");
  }

  private static Dataset<Row> withChange(Dataset<Row> rows, Dataset<Row> changed) {
    return rows.join(changed, col("business_id").equalTo(col("_c_business")).and(col("user_key").equalTo(col("_c_user"))), "left");
  }

  private static Dataset<Row> templates(Dataset<Row> rated) {
    return rated.where(col("type").equalTo("template"))
        .select(col("message_id"), col("business_id"), col("user_key"), col("user_country"), col("market"),
            col("sent_at"), col("sent_date"), col("template_category").as("category"));
  }

  private static Dataset<Row> violating(Dataset<Row> templates, Dataset<Row> consents) {
    return ConsentState.asOf(templates, "sent_at", consents)
        .where(col("active_optin").unary_$bang())
        .withColumn("reason", when(col("blocked"), lit("blocked"))
            .when(col("opted_in").unary_$bang(), lit("no_active_opt_in")))
        .drop("opted_in", "blocked", "active_optin");
  }
}
