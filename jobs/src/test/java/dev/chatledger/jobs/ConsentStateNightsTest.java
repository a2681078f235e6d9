package dev.chatledger.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real nightly job over {@link TinyLanding#stateNights}: {@code silver.consent_state} sums up
 * the events older than its date, moves with the nights, is left alone when it does not move,
 * and is rebuilt when an event older than it arrives; the consent tables equal one run over all.
 */
class ConsentStateNightsTest extends SparkTestSupport {
  @TempDir static Path dir;

  private static final List<Table> CONSENT_TABLES =
      List.of(Table.GOLD_CONSENT_DAILY, Table.GOLD_CONSENT_VIOLATIONS, Table.GOLD_OPTIN_COHORTS);

  @Test
  void theStateMovesWithTheNightsIsKeptOnARerunAndRebuiltForAnOlderEvent() throws Exception {
    Path landing = dir.resolve("landing");
    TinyLanding.stateNights(landing);
    Warehouse warehouse = Warehouse.open(SPARK, dir.resolve("warehouse").toString());
    NightlyJob job = TinyLanding.nightlyJob(warehouse, landing);
    List<LocalDate> nights = TinyLanding.STATE_NIGHTS.stream().map(LocalDate::parse).toList();

    job.run(nights.get(0));
    assertThat(warehouse.read(Table.SILVER_CONSENT_STATE).count()).isZero(); // nothing 40 days old yet

    // 2026-10-20: the events before 2026-10-20 - 40 days are summed up: U1's opt-in, not the prompts
    job.run(nights.get(1));
    assertThat(state(warehouse)).containsExactly("s-2 opt_in 2026-09-10");

    // 2026-10-21: the state moves a day; gold read it as it was before
    job.run(nights.get(2));
    assertThat(state(warehouse)).containsExactly("s-2 opt_in 2026-09-11");
    assertThat(violations(warehouse)).containsExactly("sm-1 no_active_opt_in", "sm-2 no_active_opt_in",
        "sm-3 no_active_opt_in", "sm-5 blocked");

    // a rerun: the state does not move, and is not even rewritten
    long stateVersion = warehouse.version(Table.SILVER_CONSENT_STATE);
    job.run(nights.get(2));
    assertThat(warehouse.version(Table.SILVER_CONSENT_STATE)).isEqualTo(stateVersion);

    // 2026-10-22 brings U2's opt-in of 2026-09-01, older than the state: rebuilt from every event
    job.run(nights.get(3));
    assertThat(state(warehouse)).containsExactly("s-2 opt_in 2026-09-11", "s-8 opt_in 2026-09-11");
    assertThat(violations(warehouse)).containsExactly("sm-2 no_active_opt_in", "sm-5 blocked");

    OneRunOverAll.assertSameRows(SPARK, landing, nights.get(3), warehouse, CONSENT_TABLES);
    ContractComparison.assertSameRows(landing, nights.get(3), warehouse, CONSENT_TABLES);
  }

  private static List<String> state(Warehouse warehouse) {
    return warehouse.read(Table.SILVER_CONSENT_STATE)
        .selectExpr("concat_ws(' ', event_id, action, cast(state_before AS STRING))").orderBy("event_id")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
  }

  private static List<String> violations(Warehouse warehouse) {
    return warehouse.read(Table.GOLD_CONSENT_VIOLATIONS).orderBy("message_id")
        .selectExpr("concat_ws(' ', message_id, reason)").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
  }
}
