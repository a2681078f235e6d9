package dev.chatledger.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.cli.ChatLedger;
import dev.chatledger.jobs.tables.Table;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysts' tools against the demo-sized warehouse, each driven as an analyst would: the
 * notebooks executed by Debian's Jupyter, the HTML report rendered by headless Chromium, and
 * `serve` queried by Spark's JVM Connect client from its own JVM. Figures are compared with
 * the same aggregates computed here from the tables.
 */
class AnalystToolsTest extends SparkTestSupport {
  static GeneratedWarehouse generated;
  @TempDir Path out;

  @BeforeAll
  static void warehouse() {
    generated = GeneratedWarehouse.get(SPARK);
  }

  /** Names in the session: other tests of this JVM may have opened another warehouse since. */
  @org.junit.jupiter.api.BeforeEach
  void registerTheWarehouse() {
    dev.chatledger.jobs.tables.Warehouse.open(SPARK, generated.warehouseRoot());
  }

  @Test
  void notebooksExecuteHeadlesslyAndDrawCharts() throws IOException {
    Path jupyter = Path.of("/usr/bin/jupyter");
    assertThat(jupyter).as("Debian's Jupyter (./run-tests installs it)").exists();
    Row span = SPARK.sql("SELECT count(*) AS n, min(revenue_date), max(revenue_date) FROM (SELECT DISTINCT "
        + "revenue_date, market, category, pricing_type FROM gold.revenue_daily)").first();
    List<Path> notebooks;
    try (var files = Files.list(ChildProcess.REPOSITORY.resolve("notebooks"))) {
      notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertThat(notebooks).hasSize(4);
    for (Path notebook : notebooks) {
      ChildProcess.Result r = ChildProcess.run(List.of(jupyter.toString(), "nbconvert", "--to", "html", "--execute",
          "--ExecutePreprocessor.timeout=600", "--output-dir", out.toString(), notebook.toString()),
          Map.of("CHATLEDGER_WAREHOUSE", generated.warehouseRoot(), "CHATLEDGER_NOTEBOOK_HEAP", "-Xmx1g",
              "PYDEVD_DISABLE_FILE_VALIDATION", "1"), 900);
      assertThat(r.exitCode()).as(notebook + " executed:\n" + r.output()).isZero();
      String html = Files.readString(out.resolve(notebook.getFileName().toString().replace(".ipynb", ".html")));
      assertThat(html).as(notebook.toString()).doesNotContain("Traceback").doesNotContain("ename");
      assertThat(count(html, "data:image/png;base64")).as(notebook + " charts").isGreaterThanOrEqualTo(2);
      System.out.printf("notebook %s executed in %.1f s%n", notebook.getFileName(), r.millis() / 1000.0);
      if (notebook.getFileName().toString().startsWith("01")) {
        assertThat(html).contains(span.getLong(0) + " rows; " + span.getDate(1) + " to " + span.getDate(2));
      }
      if (notebook.getFileName().toString().startsWith("03")) {
        assertThat(html).contains("message wamid.", "  billing     "); // explain() of the biggest
      }
    }
  }

  @Test
  void reportRendersInHeadlessChromium() throws IOException {
    Path chromium = Path.of("/usr/bin/chromium");
    assertThat(chromium).as("Debian's chromium (./run-tests installs it)").exists();
    Path site = out.resolve("report");
    assertThat(ChatLedger.execute("report", "--warehouse", generated.warehouseRoot(), "--out", site.toString())).isZero();

    LocalDate day = SPARK.sql("SELECT max(revenue_date) FROM gold.revenue_daily").first().getDate(0).toLocalDate();
    BigDecimal total = (BigDecimal) generated.warehouse.read(Table.GOLD_REVENUE_DAILY)
        .where("revenue_date = DATE'" + day + "'").selectExpr("sum(revenue)").first().get(0);
    BigDecimal india = (BigDecimal) generated.warehouse.read(Table.GOLD_REVENUE_DAILY)
        .where("revenue_date = DATE'" + day + "' AND market = 'India'").selectExpr("coalesce(sum(revenue), 0)").first().get(0);
    long mismatches = generated.warehouse.read(Table.GOLD_BILLING_RECONCILIATION)
        .where("date = DATE'" + day + "' AND outcome <> 'match'").count();

    String url = site.resolve("index.html").toUri().toString();
    List<String> browser = List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        "--enable-logging=stderr", "--v=0", "--user-data-dir=" + out.resolve("profile"), "--window-size=1280,3600");
    ChildProcess.Result dom = ChildProcess.run(concat(browser, "--dump-dom", url), Map.of(), 120);
    assertThat(dom.exitCode()).as(dom.output()).isZero();
    String page = dom.output();
    assertThat(page).doesNotContain("chrome-error://").doesNotContain("Uncaught");
    assertThat(page).contains("<h1>chatledger night report: " + day + "</h1>", "<h2>Revenue by market and category</h2>",
        "<h2>India and Brazil</h2>", "<h2>Opt-in rates</h2>", "<h2>Top discrepancies</h2>",
        "<h2>Data quality of the night</h2>");
    assertThat(page).contains("id=\"total-revenue\">" + String.format(Locale.ROOT, "%,.2f", total) + "</strong>");
    assertThat(page).contains("<h3>India</h3><p class=\"figure\">Revenue <strong class=\"market-revenue\">"
        + String.format(Locale.ROOT, "%,.2f", india) + "</strong>");
    assertThat(count(page, "<svg class=\"chart\"")).isGreaterThanOrEqualTo(4);
    assertThat(count(page.substring(page.indexOf("The 10 biggest"), page.indexOf("Trace one")), "<tr>") - 1)
        .as("discrepancy rows").isEqualTo((int) Math.min(10, mismatches));
    assertThat(page).contains("class=\"run-status\">succeeded</strong>");
    long checks = SPARK.sql("SELECT count(*) FROM ops.data_quality WHERE run_id = (SELECT max_by(run_id, finished_at) "
        + "FROM ops.runs WHERE command = 'nightly')").first().getLong(0);
    assertThat(checks).isEqualTo(16); // 3 per feed after ingest, 4 after derive
    assertThat(page).contains("<span id=\"quality-checks\">" + checks + "</span>", "<td>rejected_share</td>");

    Path png = out.resolve("report.png");
    ChildProcess.Result shot = ChildProcess.run(concat(browser, "--screenshot=" + png, url), Map.of(), 120);
    assertThat(shot.exitCode()).as(shot.output()).isZero();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1280);
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 7) {
      for (int x = 0; x < image.getWidth(); x += 7) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertThat(colours.size()).as("a drawn page, not a blank one").isGreaterThan(20);
    assertThat(colours).as("the bars' blue").contains(0xFF2F6FDF);
    Files.copy(png, ChildProcess.MODULE.resolve("target/report-screenshot.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void serveAnswersTheJvmSparkConnectClient() throws Exception {
    int port = ChildProcess.freePort();
    List<String> serve = ChildProcess.chatledgerJvm("-Xmx1g", "dev.chatledger.jobs.cli.ChatLedger", "serve",
        "--warehouse", generated.warehouseRoot(), "--port", Integer.toString(port));
    Process server = new ProcessBuilder(serve).redirectErrorStream(true).start();
    List<String> serverLog = new ArrayList<>();
    try {
      BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      long deadline = System.currentTimeMillis() + 180_000;
      String line;
      while ((line = lines.readLine()) != null && !line.contains("serving ")) {
        serverLog.add(line);
        assertThat(System.currentTimeMillis()).as("serve started:\n" + String.join("\n", serverLog)).isLessThan(deadline);
      }
      assertThat(line).as("serve started:\n" + String.join("\n", serverLog)).isNotNull().contains("sc://127.0.0.1:" + port);
      Thread drain = new Thread(() -> lines.lines().forEach(l -> {}), "serve-log");
      drain.setDaemon(true);
      drain.start();

      String query = "SELECT market, sum(billable_messages) AS billable, CAST(sum(revenue) AS STRING) AS revenue "
          + "FROM gold.revenue_daily GROUP BY market ORDER BY market";
      ChildProcess.Result client = ChildProcess.run(ChildProcess.connectClientJvm("dev.chatledger.connect.ConnectQuery",
          "sc://127.0.0.1:" + port, query, "SHOW TABLES IN gold"), Map.of(), 180);
      assertThat(client.exitCode()).as(client.output()).isZero();
      List<String> expected = new ArrayList<>(List.of("market,billable,revenue"));
      for (Row r : SPARK.sql(query).collectAsList()) {
        expected.add(r.getString(0) + "," + r.getLong(1) + "," + r.getString(2));
      }
      List<String> printed = client.output().lines().toList();
      assertThat(printed).containsSubsequence(expected);
      assertThat(printed).anyMatch(l -> l.equals("gold,revenue_daily,false"));
      System.out.printf("serve: the Connect client answered in %.1f s%n", client.millis() / 1000.0);
    } finally {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private static List<String> concat(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }

  private static int count(String text, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
