package dev.chatledger.jobs.silver.consent;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;

/**
 * Whether a (business, user) has an active opt-in (CONTRACT 4): the latest {@code opt_in} /
 * {@code opt_out} at or before the instant is {@code opt_in}, and the latest {@code block} /
 * {@code unblock} (if any) is not {@code block}. Two flags carried forward with
 * {@code last(..., ignoreNulls)} over the pair's events in (instant, event_id) order: no UDF, and
 * the same window answers "as of" any other instant merged into the stream.
 */
public final class ConsentState {
  /** Consent events sort before a probe at the same instant: "at or before t" includes t. */
  private static final int EVENT = 0;
  private static final int PROBE = 1;

  private ConsentState() {}

  /** true for opt_in, false for opt_out, null for actions that leave consent as it was. */
  static Column consentFlag() {
    return when(col("action").equalTo("opt_in"), lit(true)).when(col("action").equalTo("opt_out"), lit(false));
  }

  /** true for block, false for unblock, null otherwise. */
  static Column blockFlag() {
    return when(col("action").equalTo("block"), lit(true)).when(col("action").equalTo("unblock"), lit(false));
  }

  private static WindowSpec history(String... order) {
    Column[] by = java.util.Arrays.stream(order).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    return Window.partitionBy("business_id", "user_key").orderBy(by)
        .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
  }

  private static Dataset<Row> withFlags(Dataset<Row> stream, WindowSpec w) {
    return stream
        .withColumn("opted_in", coalesce(last(col("_consent"), true).over(w), lit(false)))
        .withColumn("blocked", coalesce(last(col("_block"), true).over(w), lit(false)))
        .withColumn("active_optin", col("opted_in").and(col("blocked").unary_$bang()))
        .drop("_consent", "_block");
  }

  /**
   * Every consent event with the pair's state right after it: {@code opted_in}, {@code blocked}
   * and {@code active_optin}. One shuffle (by business and user).
   */
  public static Dataset<Row> afterEachEvent(Dataset<Row> consents) {
    return withFlags(consents.withColumn("_consent", consentFlag()).withColumn("_block", blockFlag()),
        history("occurred_at", "event_id"));
  }

  /**
   * The state of each probe's (business_id, user_key) at its instant {@code probeTime}, inclusive.
   * Adds {@code opted_in}, {@code blocked} and {@code active_optin} (false when the pair has no
   * consent history) to the probes. The probes and the events are merged into one stream.
   */
  public static Dataset<Row> asOf(Dataset<Row> probes, String probeTime, Dataset<Row> consents) {
    Column none = lit(null).cast(DataTypes.BooleanType);
    Dataset<Row> events = consents.select(col("business_id"), col("user_key"),
            col("occurred_at").as("_at"), lit(EVENT).as("_kind"), col("event_id").as("_order"),
            consentFlag().as("_consent"), blockFlag().as("_block"))
        .where(col("_consent").isNotNull().or(col("_block").isNotNull()));
    Dataset<Row> marked = probes.withColumn("_at", col(probeTime)).withColumn("_kind", lit(PROBE))
        .withColumn("_order", lit(null).cast(DataTypes.StringType))
        .withColumn("_consent", none).withColumn("_block", none);
    Dataset<Row> stream = marked.unionByName(events, true);
    return withFlags(stream, history("_at", "_kind", "_order"))
        .where(col("_kind").equalTo(PROBE))
        .drop("_at", "_kind", "_order");
  }

  /**
   * The consent events from {@code from} (UTC date) on, and of the earlier ones only each pair's
   * latest {@code opt_in}/{@code opt_out} and latest {@code block}/{@code unblock}: the state of a
   * pair at any instant from {@code from} on, and its change from the day before, are the same
   * as with every event (a night's consent horizon reads history as one row or two per pair).
   * Events before {@code from} are no longer countable per day.
   */
  public static Dataset<Row> since(Dataset<Row> consents, java.time.LocalDate from) {
    Column before = org.apache.spark.sql.functions.to_date(col("occurred_at")).lt(lit(java.sql.Date.valueOf(from)));
    Column[] all = java.util.Arrays.stream(consents.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new);
    Dataset<Row> latest = consents.where(before)
        .withColumn("_flag", when(consentFlag().isNotNull(), lit("consent")).when(blockFlag().isNotNull(), lit("block")))
        .where(col("_flag").isNotNull())
        .groupBy("business_id", "user_key", "_flag")
        .agg(org.apache.spark.sql.functions.max_by(struct(all), struct(col("occurred_at"), col("event_id"))).as("_last"))
        .select("_last.*");
    return consents.where(before.unary_$bang()).unionByName(latest);
  }

  /**
   * The rows of {@code rows} whose (business_id, user_key) has an event in {@code events}
   * (null-safe: a null key is a pair too), materialized. {@code events} are a night's: its pairs
   * are broadcast when few enough, so that the one scan of {@code rows} (history) shuffles nothing.
   */
  public static Dataset<Row> ofPairsIn(Dataset<Row> rows, Dataset<Row> events) {
    Dataset<Row> pairs = dev.chatledger.jobs.silver.NightKeys.joinable(
        events.select(col("business_id").as("_p_business"), col("user_key").as("_p_user")));
    // read once: the pairs' events are evaluated twice, with and without the night's
    return rows.join(pairs, rows.col("business_id").eqNullSafe(col("_p_business"))
        .and(rows.col("user_key").eqNullSafe(col("_p_user"))), "left_semi").localCheckpoint();
  }

  /**
   * Of consent events, the columns that decide a pair's state and its day's counts (the pair,
   * {@code event_id}, {@code action}, {@code occurred_at}): a scan of history reads these only.
   */
  public static Dataset<Row> deciding(Dataset<Row> events) {
    return events.select("business_id", "user_key", "event_id", "action", "occurred_at");
  }

  /** {@code events} without those of {@code arrived} (by event_id): the history as it was before they came. */
  public static Dataset<Row> before(Dataset<Row> events, Dataset<Row> arrived) {
    return events.join(arrived.select(col("event_id").as("_a_event")), col("event_id").equalTo(col("_a_event")), "left_anti");
  }
}
