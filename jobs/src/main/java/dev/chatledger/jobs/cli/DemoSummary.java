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
  }
}
