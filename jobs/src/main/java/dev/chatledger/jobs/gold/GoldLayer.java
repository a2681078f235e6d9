package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import dev.chatledger.jobs.NightHorizon;
import dev.chatledger.jobs.silver.consent.ConsentState;
import dev.chatledger.jobs.tables.Table;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Every gold table of a night, derived from the rated messages, their reconciliation and the
 * silver tables: one place that says which transformation feeds which published table, for the
 * nightly job and for the tests that compare it with one run over all the data.
 */
public final class GoldLayer {
  private GoldLayer() {}

  /** The silver inputs the gold tables are derived from. */
  public record Inputs(Dataset<Row> rated, Dataset<Row> reconciliation, Dataset<Row> messages,
      Dataset<Row> consents, Dataset<Row> markets, Dataset<Row> businesses) {}

  /**
   * What a night's gold needs of all history, kept by the night instead of read from it:
   * {@code businessFirsts}, each business's first message and template ({@link
   * BusinessUsageDaily#firsts} of all messages, kept in {@code silver.business_firsts}), and
   * {@code consentHistory}, the consent events that decide every pair's state from the consent
   * horizon on (the events since {@code silver.consent_state}'s date and that state: each pair's
   * latest events before it, {@link dev.chatledger.jobs.silver.consent.ConsentState#since});
   * {@code arrivedConsents}, the consent events that came since the
   * publication; and the consent tables as published ({@code violations}, {@code consentDaily},
   * {@code cohorts}): a night changes them only for the pairs of the arrived events (and, for
   * violations and the marketing recipients, for the messages it re-rates).
   */
  public record Carried(Dataset<Row> businessFirsts, Dataset<Row> consentHistory, Dataset<Row> violations,
      Dataset<Row> arrivedConsents, Dataset<Row> consentDaily, Dataset<Row> cohorts) {}

  /** Gold table -> its rows as of the night {@code asOf}, in a stable order. */
  public static Map<Table, Dataset<Row>> derive(Inputs in, LocalDate asOf) {
    return deriveAll(in, asOf);
  }

  /**
   * Gold table -> its rows from the night's horizon on ({@link NightHorizon#from}), derived from
   * the silver rows they depend on: the rated and silver messages from the rating horizon on
   * (every later sent or revenue date comes from them), all consent events for the opt-in base and
   * consent state (each pair's latest events before the horizon), a week before for the cohorts.
   * {@code in.reconciliation()} is already the horizon's; what needs all of history comes in
   * {@code carried}, unused when {@code h} is full. {@code night} is the arrival date being run;
   * {@code asOf} the latest night silver holds (later than {@code night} when an older night runs
   * again), as of which a cohort is final.
   */
  public static Map<Table, Dataset<Row>> derive(Inputs in, LocalDate night, LocalDate asOf, NightHorizon h,
      Carried carried) {
    if (h.isFull()) {
      return deriveAll(in, asOf);
    }
    // sent on or after the horizon, or delivered after it (a message carried over: its revenue)
    Dataset<Row> rated = sentOrRevenueSince(in.rated(), h.rating(), h.rating());
    Dataset<Row> messages = in.messages().where(since("sent_date", h.rating()));
    Map<Table, Dataset<Row>> gold = new LinkedHashMap<>();
    gold.put(Table.GOLD_REVENUE_DAILY, RevenueDaily.from(rated));
    gold.put(Table.GOLD_BILLING_RECONCILIATION, in.reconciliation());
    gold.put(Table.GOLD_RECONCILIATION_DAILY, ReconciliationDaily.from(in.reconciliation()));
    gold.put(Table.GOLD_OPTIN_COHORTS, OptInCohorts.since(carried.cohorts(),
        in.consents().where(since("occurred_date", h.cohorts())), carried.arrivedConsents(), asOf, h.cohorts()));
    // the night's templates: all sent from the rating horizon on (NightScope)
    Dataset<Row> arrivedTemplates = in.messages()
        .where(col("dt").equalTo(lit(java.sql.Date.valueOf(night))).and(col("type").equalTo("template")));
    ConsentViolations.Check violationCheck = ConsentViolations.check(in.rated().where(since("sent_date", h.consent())),
        carried.violations().where(since("sent_date", h.consent())), carried.arrivedConsents(), arrivedTemplates,
        h.rating());
    // one scan of the consent history for both consent tables: the events of the arrived events'
    // pairs and of the checked templates' pairs (each table takes its own pairs from these few)
    Dataset<Row> consents = ConsentState.ofPairsIn(ConsentState.deciding(carried.consentHistory()),
        carried.arrivedConsents().select("business_id", "user_key").unionByName(violationCheck.pairs()));
    gold.put(Table.GOLD_CONSENT_DAILY, ConsentDaily.since(carried.consentDaily(), consents, carried.arrivedConsents(),
        in.rated().where(since("revenue_date", h.rating())), h.consent(), h.rating()));
    gold.put(Table.GOLD_CONSENT_VIOLATIONS, violationCheck.against(consents));
    gold.put(Table.GOLD_REGIONAL_USAGE_DAILY, RegionalUsageDaily.from(messages, rated, in.markets()));
    gold.put(Table.GOLD_BUSINESS_USAGE_DAILY, BusinessUsageDaily.from(
        RegionalUsageDaily.usage(messages, rated, in.markets()), rated, in.businesses(),
        carried.businessFirsts()));
    gold.replaceAll((t, rows) -> rows.where(since(t.partitionBy().get(0), h.from(t))));
    return gold;
  }

  /**
   * The rated messages sent on or after {@code sentFrom} or with revenue on or after
   * {@code revenueFrom}, as two reads: the first prunes the {@code sent_date} partitions, the
   * second skips the older files by their {@code revenue_date} statistics. As one OR filter Delta
   * can do neither (it mixes a partition column and a data column) and reads all of history.
   */
  public static Dataset<Row> sentOrRevenueSince(Dataset<Row> rated, LocalDate sentFrom, LocalDate revenueFrom) {
    Column sent = since("sent_date", sentFrom);
    return rated.where(sent)
        .unionByName(rated.where(not(coalesce(sent, lit(false))).and(since("revenue_date", revenueFrom))));
  }

  private static Column since(String dateColumn, LocalDate from) {
    return col(dateColumn).geq(lit(java.sql.Date.valueOf(from)));
  }

  private static Map<Table, Dataset<Row>> deriveAll(Inputs in, LocalDate asOf) {
    Map<Table, Dataset<Row>> gold = new LinkedHashMap<>();
    gold.put(Table.GOLD_REVENUE_DAILY, RevenueDaily.from(in.rated()));
    gold.put(Table.GOLD_BILLING_RECONCILIATION, in.reconciliation());
    gold.put(Table.GOLD_RECONCILIATION_DAILY, ReconciliationDaily.from(in.reconciliation()));
    gold.put(Table.GOLD_OPTIN_COHORTS, OptInCohorts.from(in.consents(), asOf));
    gold.put(Table.GOLD_CONSENT_DAILY, ConsentDaily.from(in.consents(), in.rated()));
    gold.put(Table.GOLD_CONSENT_VIOLATIONS, ConsentViolations.from(in.rated(), in.consents()));
    gold.put(Table.GOLD_REGIONAL_USAGE_DAILY, RegionalUsageDaily.from(in.messages(), in.rated(), in.markets()));
    gold.put(Table.GOLD_BUSINESS_USAGE_DAILY, BusinessUsageDaily.from(
        RegionalUsageDaily.usage(in.messages(), in.rated(), in.markets()), in.rated(), in.businesses()));
    return gold;
  }
}
