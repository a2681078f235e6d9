package dev.chatledger.jobs.gold;

import dev.chatledger.jobs.tables.Table;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
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
