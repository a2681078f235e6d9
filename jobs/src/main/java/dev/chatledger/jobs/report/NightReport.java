package dev.chatledger.jobs.report;

import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The one-page HTML report of the latest night, from the published tables only: revenue by market
 * and category against the day before, India and Brazil, opt-in rates, the biggest billing
 * discrepancies and the night's data quality. Every figure is an aggregate of a gold or ops table,
 * so the page is small whatever the volume.
 */
public final class NightReport {
  private final Warehouse warehouse;
  private final SparkSession spark;

  public NightReport(Warehouse warehouse) {
    this.warehouse = warehouse;
    this.spark = warehouse.spark();
  }

  /** The latest delivery date with revenue: the day the report is about; null for an empty warehouse. */
  public LocalDate latestRevenueDate() {
    if (!warehouse.exists(Table.GOLD_REVENUE_DAILY)) {
      return null;
    }
    Row r = spark.sql("SELECT max(revenue_date) FROM gold.revenue_daily").first();
    return r.isNullAt(0) ? null : r.getDate(0).toLocalDate();
  }

  public String html(LocalDate day) {
    if (day == null) {
      throw new IllegalArgumentException("the warehouse has no published revenue yet: run a night first");
    }
    StringBuilder page = new StringBuilder();
    page.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>chatledger report ").append(day).append("</title><style>").append(STYLE).append("</style></head><body>");
    page.append("<h1>chatledger night report: ").append(day).append("</h1>");
    page.append("<p class=\"lead\">Revenue date ").append(day).append(" (UTC date of delivery), compared with ")
        .append(day.minusDays(1)).append(". Warehouse <code>").append(Html.escape(warehouse.root()))
        .append("</code>, published tables only. Money in USD.</p>");
    revenue(page, day);
    indiaAndBrazil(page, day);
    optIn(page, day);
    discrepancies(page, day);
    dataQuality(page);
    page.append("<footer>Written by <code>chatledger report</code> at ")
        .append(DateTimeFormatter.ISO_INSTANT.format(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)))
        .append(". Column meanings: docs/tables.md.</footer></body></html>\n");
    return page.toString();
  }

  private static final String REVENUE_BY = """
      SELECT %1$s,
             sum(CASE WHEN revenue_date = DATE'%2$s' THEN revenue END) AS revenue,
             sum(CASE WHEN revenue_date = DATE'%3$s' THEN revenue END) AS previous_day,
             CAST(try_divide(sum(CASE WHEN revenue_date = DATE'%2$s' THEN revenue END)
                  - sum(CASE WHEN revenue_date = DATE'%3$s' THEN revenue END),
                  sum(CASE WHEN revenue_date = DATE'%3$s' THEN revenue END)) AS DOUBLE) AS change,
             sum(CASE WHEN revenue_date = DATE'%2$s' THEN delivered_messages END) AS delivered,
             sum(CASE WHEN revenue_date = DATE'%2$s' THEN billable_messages END) AS billable
      FROM gold.revenue_daily
      WHERE revenue_date IN (DATE'%2$s', DATE'%3$s') %4$s
      GROUP BY %1$s
      ORDER BY revenue DESC NULLS LAST, %1$s
      """;

  private void revenue(StringBuilder page, LocalDate day) {
    page.append("<section id=\"revenue\"><h2>Revenue by market and category</h2>");
    // by currency: one row while every price is in USD (CONTRACT v1), one line per currency after
    for (Row total : spark.sql(String.format(REVENUE_BY, "currency", day, day.minusDays(1), "")).collectAsList()) {
      page.append("<p class=\"figure\">Total revenue <strong id=\"total-revenue\">")
          .append(money(total.getAs("revenue"))).append("</strong> ").append(Html.escape(total.getAs("currency")))
          .append(", day over day ").append(change(total.getAs("change"))).append(", ")
          .append(Html.number(longOr0(total.getAs("billable")))).append(" billable of ")
          .append(Html.number(longOr0(total.getAs("delivered")))).append(" delivered messages.</p>");
    }
    List<Row> byMarket = spark.sql(String.format(REVENUE_BY, "market", day, day.minusDays(1), "")).limit(12).collectAsList();
    page.append(BarChart.svg("Revenue by market, " + day + " (USD)", bars(byMarket, "market", "revenue"), ""));
    Dataset<Row> byMarketCategory = spark.sql(String.format(REVENUE_BY, "market, category", day, day.minusDays(1), ""));
    page.append(Html.table(new String[] {"market", "category", "revenue", "previous day", "change", "delivered", "billable"},
        byMarketCategory.limit(25).collectAsList()));
    page.append("<p class=\"note\">change = (revenue - previous day) / previous day; - when either day has none. "
        + "Top 25 rows by revenue.</p></section>");
  }

  private void indiaAndBrazil(StringBuilder page, LocalDate day) {
    page.append("<section id=\"india-brazil\"><h2>India and Brazil</h2><div class=\"panels\">");
    for (String market : List.of("India", "Brazil")) {
      List<Row> rows = spark.sql(String.format(REVENUE_BY, "category", day, day.minusDays(1),
          "AND market = '" + market + "'")).collectAsList();
      Row t = spark.sql(String.format(REVENUE_BY, "market", day, day.minusDays(1), "AND market = '" + market + "'"))
          .collectAsList().stream().findFirst().orElse(null);
      page.append("<div class=\"panel\"><h3>").append(market).append("</h3><p class=\"figure\">Revenue <strong class=\"market-revenue\">")
          .append(t == null ? "0.00" : money(t.getAs("revenue"))).append("</strong> USD, day over day ")
          .append(t == null ? "-" : change(t.getAs("change"))).append("</p>");
      page.append(BarChart.svg(market + ": revenue by category (USD)", bars(rows, "category", "revenue"), ""));
      page.append(Html.table(new String[] {"category", "revenue", "previous day", "change", "delivered", "billable"}, rows));
      page.append("</div>");
    }
    page.append("</div></section>");
  }

  private void optIn(StringBuilder page, LocalDate day) {
    page.append("<section id=\"optin\"><h2>Opt-in rates</h2>");
    if (!warehouse.exists(Table.GOLD_OPTIN_COHORTS)) {
      page.append("<p>no consent events yet</p></section>");
      return;
    }
    // Cohorts prompted in the 7 days up to the report's day: the recent funnel, final or not.
    List<Row> rows = spark.sql(String.format("""
        SELECT coalesce(m.market, 'Other') AS market, sum(c.prompted) AS prompted, sum(c.opted_in) AS opted_in,
               CAST(sum(c.opted_in) / sum(c.prompted) AS DOUBLE) AS optin_rate, bool_and(c.is_final) AS final
        FROM gold.optin_cohorts c LEFT JOIN silver.markets m ON c.user_country = m.country
        WHERE c.prompt_date BETWEEN DATE'%s' AND DATE'%s'
        GROUP BY 1 ORDER BY prompted DESC, market LIMIT 15
        """, day.minusDays(6), day)).collectAsList();
    List<BarChart.Bar> bars = new ArrayList<>();
    for (Row r : rows) {
      bars.add(new BarChart.Bar(r.getString(0), 100 * (r.isNullAt(3) ? 0 : r.getDouble(3))));
    }
    page.append(BarChart.svg("Opt-in rate by user market, prompts " + day.minusDays(6) + " to " + day + " (%)", bars, " %"));
    page.append(Html.table(new String[] {"market", "prompted", "opted in", "opt-in rate", "final"}, rows));
    page.append("<p class=\"note\">Users prompted who opted in within 7 days (gold.optin_cohorts); "
        + "final = the 7 days have passed for every cohort in the row.</p></section>");
  }

  private void discrepancies(StringBuilder page, LocalDate day) {
    page.append("<section id=\"discrepancies\"><h2>Top discrepancies</h2>");
    if (!warehouse.exists(Table.GOLD_BILLING_RECONCILIATION)) {
      page.append("<p>no reconciliation yet</p></section>");
      return;
    }
    List<Row> outcomes = spark.sql(String.format("""
        SELECT outcome, count(*) AS messages, sum(expected) AS expected, sum(billed) AS billed,
               sum(coalesce(billed, 0) - coalesce(expected, 0)) AS difference
        FROM gold.billing_reconciliation WHERE date = DATE'%s' GROUP BY outcome ORDER BY messages DESC
        """, day)).collectAsList();
    page.append(Html.table(new String[] {"outcome", "messages", "expected", "billed", "billed - expected"}, outcomes));
    List<Row> top = spark.sql(String.format("""
        SELECT message_id, business_id, category, pricing_type, outcome, expected, billed,
               abs(coalesce(billed, 0) - coalesce(expected, 0)) AS gap
        FROM gold.billing_reconciliation WHERE date = DATE'%s' AND outcome <> 'match'
        ORDER BY gap DESC, message_id LIMIT 10
        """, day)).collectAsList();
    page.append("<h3>The 10 biggest of ").append(day).append("</h3>");
    page.append(Html.table(new String[] {"message", "business", "category", "pricing", "outcome", "expected", "billed", "gap"}, top));
    page.append("<p class=\"note\">Trace one: <code>chatledger explain --warehouse W --message-id ID</code>.</p></section>");
  }

  private void dataQuality(StringBuilder page) {
    page.append("<section id=\"quality\"><h2>Data quality of the night</h2>");
    if (!warehouse.exists(Table.OPS_RUNS)) {
      page.append("<p>no runs recorded</p></section>");
      return;
    }
    List<Row> runs = spark.sql("SELECT run_id, command, dates, started_at, finished_at, status, counts FROM ops.runs "
        + "WHERE command IN ('nightly', 'backfill') ORDER BY finished_at DESC LIMIT 1").collectAsList();
    if (runs.isEmpty()) {
      page.append("<p>no nightly run recorded</p></section>");
      return;
    }
    Row run = runs.get(0);
    page.append("<p>Latest night: run <code>").append(Html.escape(run.getAs("run_id"))).append("</code> for arrival date ")
        .append(Html.escape(run.getAs("dates"))).append(", <strong class=\"run-status\">").append(Html.escape(run.getAs("status")))
        .append("</strong>, ").append(Html.escape(run.getAs("started_at"))).append(" to ")
        .append(Html.escape(run.getAs("finished_at"))).append(" UTC.</p>");
    if (warehouse.exists(Table.OPS_DATA_QUALITY)) {
      List<Row> checks = spark.sql(String.format("SELECT check_name, subject, stage, value, warn_above, fail_above, level "
          + "FROM ops.data_quality WHERE run_id = '%s' ORDER BY CASE level WHEN 'error' THEN 0 WHEN 'warning' THEN 1 "
          + "ELSE 2 END, stage DESC, check_name, subject", run.<String>getAs("run_id").replace("'", ""))).collectAsList();
      long warnings = checks.stream().filter(r -> "warning".equals(r.getAs("level"))).count();
      page.append("<h3>Checks</h3><p><span id=\"quality-checks\">").append(checks.size()).append("</span> checks, ")
          .append("<span id=\"quality-warnings\">").append(warnings).append("</span> warnings (ops.data_quality).</p>");
      page.append(Html.table(new String[] {"check", "subject", "stage", "value", "warn above", "fail above", "level"}, checks));
    }
    page.append("<h3>Counts of the run</h3>");
    Map<String, Long> counts = new TreeMap<>(run.getJavaMap(run.fieldIndex("counts")));
    counts.keySet().removeIf(k -> k.startsWith("ms."));
    StringBuilder rows = new StringBuilder("<table><thead><tr><th>count</th><th>value</th></tr></thead><tbody>");
    counts.forEach((k, v) -> rows.append("<tr><td>").append(Html.escape(k)).append("</td>").append(Html.cell(v)).append("</tr>"));
    page.append(rows).append("</tbody></table>");
    if (warehouse.exists(Table.OPS_REJECTED)) {
      List<Row> rejected = spark.sql(String.format(
          "SELECT feed, reason, count(*) AS lines FROM ops.rejected WHERE run_id = '%s' GROUP BY feed, reason "
              + "ORDER BY lines DESC, feed, reason", run.<String>getAs("run_id").replace("'", ""))).collectAsList();
      page.append("<h3>Rejected lines of the night</h3>")
          .append(Html.table(new String[] {"feed", "reason", "lines"}, rejected));
    }
    page.append("</section>");
  }

  private static List<BarChart.Bar> bars(List<Row> rows, String label, String value) {
    List<BarChart.Bar> bars = new ArrayList<>();
    for (Row r : rows) {
      Object v = r.getAs(value);
      if (v != null) {
        bars.add(new BarChart.Bar(String.valueOf(r.<Object>getAs(label)), ((BigDecimal) v).doubleValue()));
      }
    }
    return bars;
  }

  private static String money(BigDecimal v) {
    return v == null ? "0.00" : String.format(java.util.Locale.ROOT, "%,.2f", v);
  }

  private static String change(Double c) {
    return c == null ? "- (no revenue the day before)" : String.format(java.util.Locale.ROOT, "%+.1f %%", 100 * c);
  }

  private static long longOr0(Long v) {
    return v == null ? 0 : v;
  }

  private static final String STYLE = """
      body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#1d2330}
      h1{font-size:24px}h2{font-size:19px;border-bottom:1px solid #ccd;padding-bottom:4px;margin-top:32px}
      h3{font-size:16px}.lead,.note,footer{color:#556}.figure strong{font-size:18px}
      table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #dde;padding:3px 8px}
      th{background:#f1f3f8;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}td.null{color:#99a}
      .chart text{font-size:12px;fill:#1d2330}.chart .chart-title{font-weight:600;font-size:13px}
      .bar{fill:#2f6fdf}.bar.negative{fill:#d9534f}.panels{display:flex;gap:24px;flex-wrap:wrap}.panel{flex:1;min-width:480px;overflow-x:auto}
      footer{margin-top:32px;font-size:12px}
      """;
}
