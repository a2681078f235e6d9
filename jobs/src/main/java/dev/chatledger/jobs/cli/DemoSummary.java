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
  }
}
