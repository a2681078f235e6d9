package dev.chatledger.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.datasets.contract.Feed;
import dev.chatledger.datasets.generator.LandingZoneGenerator;
import dev.chatledger.jobs.cli.ChatLedger;
import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import io.delta.tables.DeltaTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** End to end on a generated landing zone: every night in order, then the checks of issue 2. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NightlyJobTest extends SparkTestSupport {
  static Path dir;
  static Path landing;
  static Warehouse warehouse;
  static List<LocalDate> nights;

  @BeforeAll
  static void runEveryNight() {
    GeneratedWarehouse generated = GeneratedWarehouse.get(SPARK);
    dir = generated.dir;
    landing = generated.landing;
    warehouse = generated.warehouse;
    nights = generated.nights;
  }

  @Test
  @Order(1)
  void everyLandedLineIsInBronzeOrRejected() throws IOException {
    for (Feed feed : Feed.values()) {
      LineCount landed = countLines(feed);
      long bronze = warehouse.read(Table.bronze(feed)).count();
      long parseRejected = rejected(feed).where("reason <> 'conflicting_duplicate'").count();
      assertThat(bronze + parseRejected).as(feed + ": bronze + rejected = non-blank lines").isEqualTo(landed.lines);
    }
  }

  @Test
  @Order(2)
  void silverPlusRejectedIsLinesMinusDuplicates() throws IOException {
    for (Feed feed : Feed.values()) {
      LineCount landed = countLines(feed);
      long silver = warehouse.read(Table.silver(feed)).count();
      long rejected = rejected(feed).count();
      // the generator redelivers byte-identical lines; those are the duplicates
      assertThat(silver + rejected).as(feed.folder()).isEqualTo(landed.lines - landed.repeatedLines);
      assertThat(warehouse.read(Table.silver(feed)).select(feed.keyField()).distinct().count())
          .as(feed + " key unique").isEqualTo(silver);
    }
  }

  @Test
  @Order(3)
  void noRawPhoneNumberOrUserIdInAnyTable() {
    for (Table t : Table.values()) {
      if (!warehouse.exists(t)) {
        continue;
      }
      Dataset<Row> rows = warehouse.read(t);
      Column leaks = null;
      for (StructField f : rows.schema().fields()) {
        if (f.dataType().equals(DataTypes.StringType)) {
          Column c = col(f.name()).rlike("\\+[0-9]{7,}|[A-Z]{2}\\.[0-9]{8,}");
          leaks = leaks == null ? c : leaks.or(c);
        }
      }
      assertThat(rows.where(leaks).count()).as(t.qualifiedName()).isZero();
    }
    assertThat(warehouse.read(Table.OPS_REJECTED).where("line LIKE '%user_phone%'").count()).isPositive();
  }

  @Test
  @Order(4)
  void rerunningANightChangesNoTable() {
    LocalDate night = nights.get(1);
    Map<Table, Long> versions = new TreeMap<>();
    Map<Table, List<Row>> content = new HashMap<>();
    for (Table t : Table.values()) {
      if (warehouse.exists(t) && t != Table.OPS_RUNS && t != Table.OPS_DATA_QUALITY) { // logs of every run
        versions.put(t, version(t));
        content.put(t, sortedContent(t));
      }
    }
    long runs = warehouse.read(Table.OPS_RUNS).count();
    new NightlyJob(warehouse, landing.toString(), HmacKey.resolve(null, true))
        .withQualityThresholds(dev.chatledger.jobs.cli.DemoCommand.demoThresholds()).run(night);
    for (Table t : versions.keySet()) {
      assertThat(version(t)).as(t.qualifiedName() + " version").isEqualTo(versions.get(t));
      assertThat(sortedContent(t)).as(t.qualifiedName()).isEqualTo(content.get(t));
    }
    assertThat(warehouse.read(Table.OPS_RUNS).count()).isEqualTo(runs + 1);
  }

  @Test
  @Order(5)
  void sqlPrintsCsvWithAHeaderAndPlainValues() {
    String out = cli("sql", "--warehouse", dir.resolve("warehouse").toString(), "--format", "csv",
        "SELECT market, count(*) AS countries, min(country) AS first FROM silver.markets "
            + "WHERE market IN ('India', 'Rest of Western Europe') GROUP BY market ORDER BY market");
    // India is one country; Rest of Western Europe lists 11 in datasets/reference/markets.csv, AT first
    assertThat(out.lines().toList())
        .containsExactly("market,countries,first", "India,1,IN", "Rest of Western Europe,11,AT");
  }

  @Test
  @Order(6)
  void sqlListsTheSilverTablesByName() {
    List<String> tables = SPARK.sql("SHOW TABLES IN silver").select("tableName").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertThat(tables).contains("messages", "statuses", "consents", "billing", "markets", "rate_card", "businesses");
  }

  @Test
  @Order(7)
  void oneNightAtATimeEqualsOneRunOverAll() {
    OneRunOverAll all = new OneRunOverAll(SPARK, landing, HmacKey.DEMO_KEY);
    Dataset<Row> expected = all.rated();
    Dataset<Row> actual = warehouse.read(Table.SILVER_RATED_MESSAGES);
    String[] cols = actual.columns();
    assertThat(actual.count()).isPositive().isEqualTo(expected.count());
    assertThat(actual.selectExpr(cols).exceptAll(expected.selectExpr(cols)).count()).isZero();
    assertThat(expected.selectExpr(cols).exceptAll(actual.selectExpr(cols)).count()).isZero();
    // and the silver tables themselves
    for (Feed feed : Feed.values()) {
      Dataset<Row> nightly = warehouse.read(Table.silver(feed)).drop("dt", "source_file", "line_offset", "payload_hash");
      String[] c = nightly.columns();
      Dataset<Row> once = all.silver.get(feed).withColumn(c[c.length - 1], to_date(col(feed.eventTimeField())));
      assertThat(nightly.exceptAll(once.selectExpr(c)).count()).as(feed.folder()).isZero();
      assertThat(nightly.count()).as(feed.folder()).isEqualTo(once.count());
    }
    // and every gold table
    all.gold(nights.get(nights.size() - 1)).forEach((table, once) -> {
      Dataset<Row> nightly = warehouse.read(table);
      Column[] c = Arrays.stream(table.schema().fields())
          .map(f -> col(f.name()).cast(f.dataType()).as(f.name())).toArray(Column[]::new);
      Dataset<Row> expectedRows = once.select(c);
      Dataset<Row> actualRows = nightly.select(c);
      assertThat(actualRows.count()).as(table.qualifiedName()).isPositive().isEqualTo(expectedRows.count());
      assertThat(actualRows.exceptAll(expectedRows).count()).as(table.qualifiedName()).isZero();
    });
  }

  @Test
  @Order(8)
  void revenueAddsUpAndEveryBillingLineIsReconciled() {
    Row sums = SPARK.sql("SELECT (SELECT sum(revenue) FROM gold.revenue_daily) AS revenue, "
        + "(SELECT sum(price) FROM silver.rated_messages) AS prices").first();
    assertThat(sums.<java.math.BigDecimal>getAs("revenue")).isPositive()
        .isEqualByComparingTo(sums.<java.math.BigDecimal>getAs("prices"));
    assertThat(SPARK.sql("SELECT b.message_id FROM silver.billing b LEFT ANTI JOIN gold.billing_reconciliation r "
        + "ON b.message_id = r.message_id").count()).isZero();
    assertThat(SPARK.sql("SELECT outcome FROM gold.billing_reconciliation WHERE outcome = 'match'").count()).isPositive();
  }

  @Test
  @Order(9)
  void explainTracesAMessageFromPolicyToReconciliation() {
    Row m = SPARK.sql("SELECT r.message_id, s.market, r.outcome FROM gold.billing_reconciliation r "
        + "JOIN silver.rated_messages s USING (message_id) WHERE r.outcome = 'match' AND s.billable LIMIT 1").first();
    String id = m.getString(0);
    String text = cli("explain", "--warehouse", dir.resolve("warehouse").toString(), "--message-id", id);
    assertThat(text).contains("message " + id, "policy      pmp-2026-10", "market      " + m.getString(1),
        "rate card   (", "charge", "outcome     match");
    // n is not stored: explain counts the month's billable messages of the group delivered before it
    long n = SPARK.sql("SELECT count(*) FROM silver.rated_messages o JOIN silver.rated_messages s ON s.message_id = '"
        + id + "' AND o.business_id = s.business_id AND o.market = s.market AND o.category = s.category"
        + " AND o.local_month = s.local_month AND o.billable AND (o.delivered_at < s.delivered_at"
        + " OR (o.delivered_at = s.delivered_at AND o.message_id < s.message_id))").first().getLong(0);
    assertThat(text).contains("tier count  " + n + " billable messages");
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Runs a command line, asserts it succeeded and returns what it printed on stdout. */
  @Test
  @Order(10)
  void tablesListsEveryPublishedTableWithItsRowsAndRunAndTheCatalogHasColumnComments() {
    String out = cli("tables", "--warehouse", dir.resolve("warehouse").toString(), "--format", "csv");
    List<String> lines = out.lines().toList();
    assertThat(lines.get(0)).isEqualTo("table,layer,grain,rows,version,last_update,written_by");
    String consentDaily = lines.stream().filter(l -> l.startsWith("gold.consent_daily,")).findFirst().orElseThrow();
    long rows = warehouse.read(Table.GOLD_CONSENT_DAILY).count();
    assertThat(rows).isPositive();
    assertThat(consentDaily).contains(",gold,", "," + rows + ",").containsPattern(",nightly-\\d{8}T\\d{6}-\\w+$");
    assertThat(lines).anyMatch(l -> l.startsWith("ops.runs,ops,one row per run,"));
    // the registry's descriptions are the catalog's column comments
    Row revenue = SPARK.sql("DESCRIBE gold.revenue_daily").where("col_name = 'revenue'").first();
    assertThat(revenue.<String>getAs("comment")).isEqualTo("sum of their prices");
  }

  @Test
  @Order(11)
  void exportWritesThePublishedSnapshotAsParquetAndCsv() {
    long expected = warehouse.read(Table.GOLD_REGIONAL_USAGE_DAILY).where("market = 'India'").count();
    assertThat(expected).isPositive();
    Path parquet = dir.resolve("export-parquet");
    Path csv = dir.resolve("export-csv");
    cli("export", "--warehouse", dir.resolve("warehouse").toString(), "--table", "gold.regional_usage_daily",
        "--out", parquet.toString(), "--where", "market = 'India'");
    cli("export", "--warehouse", dir.resolve("warehouse").toString(), "--table", "gold.regional_usage_daily",
        "--format", "csv", "--out", csv.toString(), "--where", "market = 'India'");
    assertThat(SPARK.read().parquet(parquet.toString()).count()).isEqualTo(expected);
    Dataset<Row> fromCsv = SPARK.read().option("header", "true").csv(csv.toString());
    assertThat(fromCsv.count()).isEqualTo(expected);
    assertThat(fromCsv.columns()).contains("date", "user_country", "market", "revenue");
    assertThat(fromCsv.where("market <> 'India'").count()).isZero();
  }

  private static String cli(String... args) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      exit = ChatLedger.execute(args);
    } finally {
      System.setOut(original);
    }
    assertThat(exit).as(String.join(" ", args)).isZero();
    return buffer.toString(StandardCharsets.UTF_8);
  }

  private static Dataset<Row> rejected(Feed feed) {
    return warehouse.read(Table.OPS_REJECTED).where(col("feed").equalTo(feed.folder()));
  }

  private static long version(Table t) {
    return DeltaTable.forPath(SPARK, warehouse.path(t)).history(1).select("version").first().getLong(0);
  }

  private static List<Row> sortedContent(Table t) {
    Dataset<Row> rows = warehouse.read(t);
    // maps cannot be ordered: compare them by their JSON text
    Column[] cols = Arrays.stream(rows.schema().fields()).filter(f -> !f.name().equals("run_id"))
        .map(f -> f.dataType() instanceof org.apache.spark.sql.types.MapType
            ? org.apache.spark.sql.functions.to_json(col(f.name())).as(f.name()) : col(f.name()))
        .toArray(Column[]::new);
    Dataset<Row> comparable = rows.select(cols);
    return comparable.orderBy(Arrays.stream(comparable.columns()).map(c -> col(c)).toArray(Column[]::new))
        .collectAsList();
  }

  record LineCount(long lines, long repeatedLines) {}

  private static LineCount countLines(Feed feed) throws IOException {
    long lines = 0;
    long repeated = 0;
    Set<String> seen = new HashSet<>();
    try (Stream<Path> files = Files.walk(landing.resolve(feed.folder()))) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          if (line.isBlank()) {
            continue;
          }
          lines++;
          if (!seen.add(line)) {
            repeated++;
          }
        }
      }
    }
    return new LineCount(lines, repeated);
  }


}
