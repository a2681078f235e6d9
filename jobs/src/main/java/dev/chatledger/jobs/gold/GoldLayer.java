package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.chatledger.jobs.NightHorizon;
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

  /** Gold table -> its rows as of the night {@code runDate}, in a stable order. */
  public static Map<Table, Dataset<Row>> derive(Inputs in, LocalDate runDate) {
    return derive(in, runDate, NightHorizon.FULL);
  }

  /**
   * Gold table -> its rows from the night's horizon on ({@link NightHorizon#from}), derived from
   * the silver rows they depend on: the rated and silver messages from the rating horizon on
   * (every later sent or revenue date comes from them), all consent events for the opt-in base and
   * consent state (each pair's latest events before the horizon), a week before for the cohorts. {@code in.reconciliation()} is
   * already the horizon's.
   */
  public static Map<Table, Dataset<Row>> derive(Inputs in, LocalDate runDate, NightHorizon h) {
    if (h.isFull()) {
      return deriveAll(in, runDate);
    }
    // sent on or after the horizon, or delivered after it (a message carried over: its revenue)
    Dataset<Row> rated = in.rated().where(since("sent_date", h.rating()).or(since("revenue_date", h.rating())));
    Dataset<Row> messages = in.messages().where(since("sent_date", h.rating()));
    Map<Table, Dataset<Row>> gold = new LinkedHashMap<>();
    gold.put(Table.GOLD_REVENUE_DAILY, RevenueDaily.from(rated));
    gold.put(Table.GOLD_BILLING_RECONCILIATION, in.reconciliation());
    gold.put(Table.GOLD_RECONCILIATION_DAILY, ReconciliationDaily.from(in.reconciliation()));
    gold.put(Table.GOLD_OPTIN_COHORTS, OptInCohorts.from(in.consents().where(since("occurred_date", h.cohorts())), runDate));
    // the consent state before the horizon: each pair's latest events (ConsentState.since)
    Dataset<Row> consents = dev.chatledger.jobs.silver.consent.ConsentState.since(in.consents(), h.consent());
    gold.put(Table.GOLD_CONSENT_DAILY, ConsentDaily.from(consents, in.rated().where(since("revenue_date", h.consent()))));
    gold.put(Table.GOLD_CONSENT_VIOLATIONS, ConsentViolations.from(in.rated().where(since("sent_date", h.consent())), consents));
    gold.put(Table.GOLD_REGIONAL_USAGE_DAILY, RegionalUsageDaily.from(messages, rated, in.markets()));
    gold.put(Table.GOLD_BUSINESS_USAGE_DAILY, BusinessUsageDaily.from(
        RegionalUsageDaily.usage(messages, rated, in.markets()), rated, in.businesses(),
        BusinessUsageDaily.firsts(in.messages())));
    gold.replaceAll((t, rows) -> rows.where(since(t.partitionBy().get(0), h.from(t))));
    return gold;
  }

  private static Column since(String dateColumn, LocalDate from) {
    return col(dateColumn).geq(lit(java.sql.Date.valueOf(from)));
  }

  private static Map<Table, Dataset<Row>> deriveAll(Inputs in, LocalDate runDate) {
    Map<Table, Dataset<Row>> gold = new LinkedHashMap<>();
    gold.put(Table.GOLD_REVENUE_DAILY, RevenueDaily.from(in.rated()));
    gold.put(Table.GOLD_BILLING_RECONCILIATION, in.reconciliation());
    gold.put(Table.GOLD_RECONCILIATION_DAILY, ReconciliationDaily.from(in.reconciliation()));
    gold.put(Table.GOLD_OPTIN_COHORTS, OptInCohorts.from(in.consents(), runDate));
    gold.put(Table.GOLD_CONSENT_DAILY, ConsentDaily.from(in.consents(), in.rated()));
    gold.put(Table.GOLD_CONSENT_VIOLATIONS, ConsentViolations.from(in.rated(), in.consents()));
    gold.put(Table.GOLD_REGIONAL_USAGE_DAILY, RegionalUsageDaily.from(in.messages(), in.rated(), in.markets()));
    gold.put(Table.GOLD_BUSINESS_USAGE_DAILY, BusinessUsageDaily.from(
        RegionalUsageDaily.usage(in.messages(), in.rated(), in.markets()), in.rated(), in.businesses()));
    return gold;
  }
}
