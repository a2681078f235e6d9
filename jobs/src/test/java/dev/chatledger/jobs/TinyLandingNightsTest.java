package dev.chatledger.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatledger.jobs.cli.ChatLedger;
import dev.chatledger.jobs.config.HmacKey;
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
    return new NightlyJob(warehouse, landing.toString(), HmacKey.resolve(null, true));
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
  void backfillSkipsTheNightsDoneAndRunsTheRest() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
    int exit;
    try {
      exit = ChatLedger.execute("backfill", "--landing", landing.toString(), "--warehouse", warehouse.root(),
          "--from", TinyLanding.FIRST_NIGHT, "--to", TinyLanding.SECOND_NIGHT, "--demo-key");
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
}
