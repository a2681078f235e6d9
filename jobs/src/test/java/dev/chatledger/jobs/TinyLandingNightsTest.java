package dev.chatledger.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatledger.jobs.cli.ChatLedger;
import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.ops.DataQuality;
import dev.chatledger.jobs.ops.Maintenance;
import dev.chatledger.jobs.ops.WriterLock;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real nightly job on the two hand-written nights of {@link TinyLanding}: the second night
 * first fails between two gold writes (readers must see nothing of it), then is re-run; its
 * late consent events change an earlier day's opt-in base and cohort.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TinyLandingNightsTest extends SparkTestSupport {
  @TempDir static Path dir;
  static Path landing;
  static Warehouse warehouse;
  static Map<Table, List<String>> afterFirstNight;

  @BeforeAll
  static void firstNight() throws Exception {
    landing = dir.resolve("landing");
    TinyLanding.twoNights(landing);
    warehouse = Warehouse.open(SPARK, dir.resolve("warehouse").toString());
    job().run(LocalDate.parse(TinyLanding.FIRST_NIGHT));
    afterFirstNight = readerView();
  }

  private static NightlyJob job() {
    // hand-written nights are sparse: a feed is often empty after a night that was not
    return new NightlyJob(warehouse, landing.toString(), HmacKey.resolve(null, true))
        .withQualityThresholds(DataQuality.Thresholds.defaults().with("feed_empty", 0.0, null));
  }

  /** What a new reader sees: every non-audit table by name, as sorted row strings. */
  private static Map<Table, List<String>> readerView() {
    Warehouse reader = Warehouse.open(SPARK, warehouse.root()); // registers names from the publication
    Map<Table, List<String>> view = new HashMap<>();
    for (Table t : Table.values()) {
      if (!t.isAuditLog() && reader.exists(t)) {
        view.put(t, SPARK.sql("SELECT * FROM " + t.qualifiedName()).drop("run_id").collectAsList().stream()
            .map(Row::toString).sorted().toList());
      }
    }
    return view;
  }

  private static Row row(String query) {
    List<Row> rows = SPARK.sql(query).collectAsList();
    assertThat(rows).as(query).hasSize(1);
    return rows.get(0);
  }

  @Test
  @Order(1)
  void firstNightSeesOneOptInOfTwoPromptedAndOneViolation() {
    Row cohort = row("SELECT * FROM gold.optin_cohorts WHERE prompt_date = DATE'2026-11-01'");
    assertThat(cohort.<Long>getAs("prompted")).isEqualTo(2);
    assertThat(cohort.<Long>getAs("opted_in")).isEqualTo(1);
    assertThat(cohort.<Boolean>getAs("is_final")).isFalse();
    assertThat(row("SELECT active_optin_base FROM gold.consent_daily WHERE date = DATE'2026-11-01'").getLong(0))
        .isEqualTo(1);
    // U2 had no opt-in when m-1 was sent at 12:00, as far as this night knows
    assertThat(row("SELECT count(*) FROM gold.consent_violations").getLong(0)).isEqualTo(1);
    assertThat(afterFirstNight).containsKeys(Table.GOLD_CONSENT_DAILY, Table.SILVER_CONSENTS, Table.OPS_REJECTED);
  }

  @Test
  @Order(2)
  void aNightThatFailsBetweenGoldWritesChangesNothingReadersSee() {
    long consentVersion = warehouse.version(Table.GOLD_CONSENT_DAILY);
    long cohortVersion = warehouse.version(Table.GOLD_OPTIN_COHORTS);
    NightlyJob failing = job();
    failing.failWhenWriting(Table.GOLD_CONSENT_DAILY);
    assertThatThrownBy(() -> failing.run(LocalDate.parse(TinyLanding.SECOND_NIGHT)))
        .hasMessageContaining("injected failure writing gold.consent_daily");
    // the night got far: silver and other gold tables were rewritten on disk...
    assertThat(warehouse.version(Table.GOLD_OPTIN_COHORTS)).isGreaterThan(cohortVersion);
    assertThat(warehouse.version(Table.GOLD_CONSENT_DAILY)).isEqualTo(consentVersion);
    // ...yet every table a reader sees is exactly as after the first night
    assertThat(readerView()).isEqualTo(afterFirstNight);
    assertThat(SPARK.sql("SELECT status FROM ops.runs ORDER BY started_at").collectAsList().stream()
        .map(r -> r.getString(0)).toList()).containsExactly("succeeded", "failed");
  }

  @Test
  @Order(3)
  void theRerunCompletesAndTheLateConsentEventsChangeTheEarlierDay() {
    job().run(LocalDate.parse(TinyLanding.SECOND_NIGHT));
    Row cohort = row("SELECT * FROM gold.optin_cohorts WHERE prompt_date = DATE'2026-11-01'");
    assertThat(cohort.<Long>getAs("opted_in")).isEqualTo(2);
    assertThat(cohort.<Double>getAs("optin_rate")).isEqualTo(1.0);
    Row nov1 = row("SELECT * FROM gold.consent_daily WHERE date = DATE'2026-11-01'");
    assertThat(nov1.<Long>getAs("opt_ins")).isEqualTo(2);
    assertThat(nov1.<Long>getAs("active_optin_base")).isEqualTo(2);
    Row nov3 = row("SELECT * FROM gold.consent_daily WHERE date = DATE'2026-11-03'");
    assertThat(nov3.<Long>getAs("opt_outs")).isEqualTo(1);
    assertThat(nov3.<Long>getAs("active_optin_base")).isEqualTo(1);
    // the late opt-in (11:00) came before m-1 (12:00): no violation any more
    assertThat(row("SELECT count(*) FROM gold.consent_violations").getLong(0)).isZero();
    // and a new reader sees it too, through the second publication
    assertThat(readerView().get(Table.GOLD_CONSENT_DAILY)).isNotEqualTo(afterFirstNight.get(Table.GOLD_CONSENT_DAILY));
    assertThat(row("SELECT count(*) FROM ops.publications").getLong(0)).isEqualTo(2);
  }

  @Test
  @Order(4)
  void aSecondWriterExitsBusyAndAStaleLockIsTakenOver() throws Exception {
    String[] nightly = {"nightly", "--landing", landing.toString(), "--warehouse", warehouse.root(),
        "--date", TinyLanding.SECOND_NIGHT, "--demo-key"};
    try (WriterLock held = WriterLock.acquire(warehouse, "nightly-held-by-another-run")) {
      assertThatThrownBy(() -> job().run(LocalDate.parse(TinyLanding.SECOND_NIGHT)))
          .isInstanceOf(WriterLock.Busy.class).hasMessageContaining("nightly-held-by-another-run");
      assertThat(ChatLedger.execute(nightly)).isEqualTo(ChatLedger.EXIT_BUSY);
    }
    // a lock left by a process of this host that has ended (a crash) does not block
    Path lock = Path.of(java.net.URI.create(warehouse.root() + "/_chatledger/writer.lock"));
    Files.writeString(lock, "run_id=crashed\nhost=" + java.net.InetAddress.getLocalHost().getHostName()
        + "\npid=" + deadPid() + "\nstarted_at=2026-11-01T00:00:00Z\n");
    try (WriterLock taken = WriterLock.acquire(warehouse, "nightly-after-crash")) {
      assertThat(Files.readString(lock)).contains("run_id=nightly-after-crash");
    }
    assertThat(Files.exists(lock)).isFalse();
  }

  /** A pid no live process has: a short-lived child that has exited. */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  @Test
  @Order(5)
  void backfillSkipsTheNightsDoneAndRunsTheRest() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
    int exit;
    try {
      exit = ChatLedger.execute("backfill", "--landing", landing.toString(), "--warehouse", warehouse.root(),
          "--from", TinyLanding.FIRST_NIGHT, "--to", TinyLanding.SECOND_NIGHT, "--demo-key",
          "--quality-thresholds", sparseNights().toString());
    } finally {
      System.setOut(stdout);
    }
    String printed = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(exit).as(printed).isEqualTo(ChatLedger.EXIT_OK);
    assertThat(printed).contains("night 1 of 3: 2026-11-02 skipped", "night 2 of 3: 2026-11-03 ok",
        "night 3 of 3: 2026-11-04 skipped", "1 nights run, 2 skipped");
    assertThat(row("SELECT count(*) FROM ops.runs WHERE dates = '2026-11-03' AND status = 'succeeded'").getLong(0))
        .isEqualTo(1);
  }

  /** A thresholds file for nights with nothing landed: an empty feed only warns. */
  private static Path sparseNights() throws java.io.IOException {
    return Files.writeString(dir.resolve("sparse.properties"), "feed_empty.fail_above = none\nfeed_empty.warn_above = 0\n");
  }

  @Test
  @Order(6)
  void aNightWithTooManyRejectedLinesFailsItsGateAndPublishesNothing() throws Exception {
    // 2026-11-05: 120 consent lines, 10 of them not JSON: 8.3 % rejected, over the 5 % default
    Path folder = Files.createDirectories(landing.resolve("consents").resolve("dt=2026-11-05"));
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < 120; i++) {
      lines.add(i % 12 == 0 ? "{not json " + i : "{\"event_id\":\"q-" + i + "\",\"business_id\":\"b-7\","
          + "\"user_phone\":\"+9198123" + String.format("%05d", i) + "\",\"action\":\"prompt\",\"source\":\"website\","
          + "\"occurred_at\":\"2026-11-05T09:00:00.000Z\"}");
    }
    Files.write(folder.resolve("part-0.jsonl"), lines);
    Map<Table, List<String>> before = readerView();
    long publications = warehouse.read(Table.OPS_PUBLICATIONS).count();
    String[] nightly = {"nightly", "--landing", landing.toString(), "--warehouse", warehouse.root(),
        "--date", "2026-11-05", "--demo-key", "--quality-thresholds", sparseNights().toString()};

    assertThat(ChatLedger.execute(nightly)).isEqualTo(ChatLedger.EXIT_QUALITY_GATE);
    assertThat(readerView()).isEqualTo(before);
    assertThat(warehouse.read(Table.OPS_PUBLICATIONS).count()).isEqualTo(publications);
    Row gate = row("SELECT value, fail_above, level, stage FROM ops.data_quality WHERE night = DATE'2026-11-05' "
        + "AND check_name = 'rejected_share' AND subject = 'consents'");
    assertThat(gate.getDouble(0)).isEqualTo(10.0 / 120);
    assertThat(gate.getDouble(1)).isEqualTo(0.05);
    assertThat(gate.<String>getAs("level")).isEqualTo("error");
    assertThat(row("SELECT count(*) FROM ops.data_quality WHERE night = DATE'2026-11-05' AND stage = 'derive'")
        .getLong(0)).as("the night stopped at the ingest gate").isZero();
    assertThat(row("SELECT status FROM ops.runs WHERE dates = '2026-11-05'").getString(0)).isEqualTo("failed");
    assertThat(row("SELECT count(*) FROM ops.rejected WHERE dt = DATE'2026-11-05'").getLong(0))
        .as("before the rerun publishes, readers still see the previous night").isZero();

    // the operator accepts up to 10 %: the night passes with a warning and publishes
    Path looser = Files.writeString(dir.resolve("looser.properties"),
        Files.readString(sparseNights()) + "rejected_share.fail_above = 0.10\n");
    nightly[nightly.length - 1] = looser.toString();
    assertThat(ChatLedger.execute(nightly)).isEqualTo(ChatLedger.EXIT_OK);
    assertThat(row("SELECT count(*) FROM ops.data_quality WHERE night = DATE'2026-11-05' AND check_name = "
        + "'rejected_share' AND subject = 'consents' AND level = 'warning'").getLong(0)).isEqualTo(1);
    assertThat(row("SELECT count(*) FROM ops.data_quality WHERE night = DATE'2026-11-05' AND check_name = "
        + "'revenue_difference' AND value = 0 AND level = 'ok'").getLong(0)).isEqualTo(1);
    assertThat(row("SELECT count(*) FROM ops.rejected WHERE dt = DATE'2026-11-05'").getLong(0)).isEqualTo(10);
    assertThat(row("SELECT sum(prompts) FROM gold.consent_daily WHERE date = DATE'2026-11-05'").getLong(0)).isEqualTo(110);

    Path unknown = Files.writeString(dir.resolve("unknown.properties"), "rejected_ratio.fail_above = 0.1\n");
    nightly[nightly.length - 1] = unknown.toString();
    assertThat(ChatLedger.execute(nightly)).isEqualTo(ChatLedger.EXIT_USAGE);
  }

  @Test
  @Order(7)
  void maintainCompactsEveryTableAndReadersSeeTheSameRows() {
    Map<Table, List<String>> before = readerView();
    Map<Table, Long> files = new HashMap<>();
    for (Table t : before.keySet()) {
      files.put(t, Maintenance.filesOnDisk(warehouse, t));
    }
    Map<Table, Maintenance.TableFiles> result = Maintenance.run(warehouse, true, true, 0);
    assertThat(readerView()).isEqualTo(before);
    for (Table t : before.keySet()) {
      Maintenance.TableFiles f = result.get(t);
      assertThat(f.onDiskBefore()).as(t.qualifiedName()).isEqualTo(files.get(t));
      // one file per partition at most, and nothing left on disk that no version needs
      long partitions = t.partitionBy().isEmpty() ? 1
          : warehouse.read(t).select(t.partitionBy().get(0)).distinct().count();
      assertThat(f.liveAfter()).as(t.qualifiedName() + " live files").isLessThanOrEqualTo(Math.max(partitions, 1));
      assertThat(f.onDiskAfter()).as(t.qualifiedName() + " files on disk").isEqualTo(f.liveAfter());
    }
    assertThat(result.get(Table.SILVER_CONSENTS).onDiskBefore()).isGreaterThan(result.get(Table.SILVER_CONSENTS).onDiskAfter());
    assertThat(row("SELECT status FROM ops.runs WHERE command = 'maintain'").getString(0)).isEqualTo("succeeded");
    // OPTIMIZE and VACUUM commit new versions of the same rows: the next night still derives
    // only what it brings, not every date
    assertThat(NightScope.of(warehouse, java.time.LocalDate.parse(TinyLanding.SECOND_NIGHT)).isFull())
        .as("the night after maintain derives every date").isFalse();
    // a second OPTIMIZE finds every partition compacted and rewrites nothing: Z-ordering the
    // whole table would rewrite all of history on every maintain
    Map<Table, Long> versions = new HashMap<>();
    for (Table t : before.keySet()) {
      versions.put(t, warehouse.version(t));
    }
    Maintenance.run(warehouse, true, false, 0);
    for (Table t : before.keySet()) {
      assertThat(warehouse.version(t)).as(t.qualifiedName() + " version after a second OPTIMIZE").isEqualTo(versions.get(t));
    }
    assertThat(readerView()).isEqualTo(before);
  }

  @Test
  @Order(8)
  void eraseRemovesTheUserFromEveryFileAndAReplayDoesNotBringThemBack() throws Exception {
    String key = dev.chatledger.jobs.silver.Pseudonymization.hmacHex(HmacKey.DEMO_KEY, "+919812345679"); // U2
    assertThat(rowsWithKey(key)).as("U2 is in the warehouse before").isPositive();
    try (var files = Files.walk(Path.of(java.net.URI.create(warehouse.root())))) {
      assertThat(files.filter(f -> f.toString().endsWith(".parquet")).filter(f -> parquetHolds(f, key)))
          .as("Parquet files whose records hold U2 before").isNotEmpty();
    }
    // written with spaces: normalized to E.164 before hashing, as landed numbers are
    assertThat(ChatLedger.execute("erase", "--warehouse", warehouse.root(), "--user-phone", "+91 98123 45679",
        "--demo-key")).isZero();
    assertThat(rowsWithKey(key)).isZero();
    assertThat(filesHolding(key)).as("files under the warehouse holding the key").isEmpty();
    assertThat(row("SELECT count(*) FROM ops.erasures").getLong(0)).isEqualTo(1);
    assertThat(NightScope.of(warehouse, java.time.LocalDate.parse(TinyLanding.SECOND_NIGHT)).isFull())
        .as("the night after an erasure derives every date").isFalse();
    assertThat(row("SELECT sum(prompts) FROM gold.consent_daily WHERE date = DATE'2026-11-01'").getLong(0))
        .as("the derived tables no longer count U2's prompt").isEqualTo(1);

    // the night that held U2's late opt-in is replayed: the user stays erased
    assertThat(ChatLedger.execute("nightly", "--landing", landing.toString(), "--warehouse", warehouse.root(),
        "--date", TinyLanding.SECOND_NIGHT, "--demo-key", "--quality-thresholds", sparseNights().toString())).isZero();
    assertThat(rowsWithKey(key)).isZero();
    assertThat(filesHolding(key)).isEmpty();
    Row counts = row("SELECT counts FROM ops.runs WHERE command = 'nightly' AND status = 'succeeded' "
        + "ORDER BY finished_at DESC LIMIT 1");
    assertThat(counts.<String, Long>getJavaMap(0)).containsEntry("consents.erased", 1L);
  }

  private static long rowsWithKey(String key) {
    long n = 0;
    for (Table t : dev.chatledger.jobs.ops.Erasure.tablesWithUsers()) {
      if (warehouse.exists(t)) {
        n += warehouse.read(t).where(org.apache.spark.sql.functions.col("user_key").equalTo(key)).count();
      }
    }
    return n;
  }

  /**
   * Every file under the warehouse that holds the key: Parquet data files read record by record
   * with Parquet's own reader (their pages are compressed, so bytes alone prove nothing; one Spark
   * job per file cost the suite a minute), every file also searched byte for byte.
   */
  private static List<String> filesHolding(String key) throws java.io.IOException {
    Path root = Path.of(java.net.URI.create(warehouse.root()));
    List<String> found = new java.util.ArrayList<>();
    byte[] needle = key.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (var files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (indexOf(Files.readAllBytes(f), needle) >= 0
            || (f.toString().endsWith(".parquet") && parquetHolds(f, key))) {
          found.add(f.toString());
        }
      }
    }
    return found;
  }

  /** Whether any value of any record, nested ones too, of a Parquet file contains the text. */
  private static boolean parquetHolds(Path file, String text) {
    try (org.apache.parquet.hadoop.ParquetReader<org.apache.parquet.example.data.Group> records =
        org.apache.parquet.hadoop.ParquetReader.builder(new org.apache.parquet.hadoop.example.GroupReadSupport(),
            new org.apache.hadoop.fs.Path(file.toUri())).build()) {
      for (var record = records.read(); record != null; record = records.read()) {
        if (record.toString().contains(text)) { // binary values print as UTF-8 text
          return true;
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return false;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
