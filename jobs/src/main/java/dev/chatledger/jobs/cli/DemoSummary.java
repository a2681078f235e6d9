package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.io.PrintStream;

/** The short summary the demo prints: rows per table, rejected lines per reason. */
final class DemoSummary {
  private DemoSummary() {}

  static void print(Warehouse w, PrintStream out) {
    out.println("rows per table:");
    for (Table t : Table.values()) {
      if (w.exists(t)) {
        out.printf("  %-22s %,12d%n", t.qualifiedName(), w.read(t).count());
      }
    }
    out.println("rejected lines per feed and reason:");
    SqlCommand.print(w.spark().sql(
        "SELECT feed, reason, count(*) AS lines FROM ops.rejected GROUP BY feed, reason ORDER BY feed, lines DESC"),
        SqlCommand.Format.table, 100, out);
    if (w.exists(Table.GOLD_REVENUE_DAILY)) {
      out.println("revenue by market (India and Brazil first):");
      SqlCommand.print(w.spark().sql(
          "SELECT market, sum(delivered_messages) AS delivered, sum(billable_messages) AS billable, "
              + "sum(revenue) AS revenue, first(currency) AS currency FROM gold.revenue_daily GROUP BY market "
              + "ORDER BY CASE market WHEN 'India' THEN 0 WHEN 'Brazil' THEN 1 ELSE 2 END, revenue DESC"),
          SqlCommand.Format.table, 100, out);
    }
    if (w.exists(Table.GOLD_BILLING_RECONCILIATION)) {
      out.println("reconciliation (computed vs billed):");
      SqlCommand.print(w.spark().sql(
          "SELECT outcome, count(*) AS messages, sum(expected) AS expected, sum(billed) AS billed, "
              + "sum(billed) - coalesce(sum(expected), 0) AS difference FROM gold.billing_reconciliation "
              + "GROUP BY outcome ORDER BY messages DESC"),
          SqlCommand.Format.table, 100, out);
    }
    if (w.exists(Table.GOLD_OPTIN_COHORTS)) {
      out.println("opt-in rate by market (prompted users who opted in within 7 days; India and Brazil first):");
      SqlCommand.print(w.spark().sql(
          "SELECT coalesce(m.market, 'Other') AS market, sum(c.prompted) AS prompted, sum(c.opted_in) AS opted_in, "
              + "round(sum(c.opted_in) / sum(c.prompted), 4) AS optin_rate, bool_and(c.is_final) AS final "
              + "FROM gold.optin_cohorts c LEFT JOIN silver.markets m ON c.user_country = m.country "
              + "GROUP BY 1 ORDER BY " + INDIA_BRAZIL_FIRST + ", prompted DESC"),
          SqlCommand.Format.table, 100, out);
    }
    if (w.exists(Table.GOLD_REGIONAL_USAGE_DAILY)) {
      out.println("regional usage by market, all days (India and Brazil first):");
      SqlCommand.print(w.spark().sql(
          "SELECT market, sum(inbound_messages) AS inbound, sum(outbound_messages) AS outbound, "
              + "sum(marketing_templates) AS marketing, sum(utility_templates) AS utility, "
              + "sum(authentication_templates) AS authentication, "
              + "round(sum(delivered_messages) / nullif(sum(outbound_messages), 0), 4) AS delivered_rate, "
              + "round(sum(read_messages) / nullif(sum(outbound_messages), 0), 4) AS read_rate, "
              + "round(sum(interactive_messages) / nullif(sum(inbound_messages), 0), 4) AS interactive_share, "
              + "sum(billable_messages) AS billable, sum(revenue) AS revenue "
              + "FROM gold.regional_usage_daily GROUP BY market ORDER BY " + INDIA_BRAZIL_FIRST + ", outbound DESC"),
          SqlCommand.Format.table, 100, out);
    }
  }

  private static final String INDIA_BRAZIL_FIRST = "CASE market WHEN 'India' THEN 0 WHEN 'Brazil' THEN 1 ELSE 2 END";
}
