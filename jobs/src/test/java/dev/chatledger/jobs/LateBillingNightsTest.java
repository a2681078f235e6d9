package dev.chatledger.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real nightly job over {@link TinyLanding#billingNights}: a billing line that lands nights
 * after its message is reconciled on the date one run over all gives it, also when that message
 * had no reconciliation row before (it costs nothing: CONTRACT 8's m-2) and its date is before
 * every other date the night changes.
 */
class LateBillingNightsTest extends SparkTestSupport {
  @TempDir static Path dir;

  @Test
  void lateLinesAreReconciledOnTheDatesOfOneRunOverAll() throws Exception {
    Path landing = dir.resolve("landing");
    TinyLanding.billingNights(landing);
    Warehouse warehouse = Warehouse.open(SPARK, dir.resolve("warehouse").toString());
    NightlyJob job = TinyLanding.nightlyJob(warehouse, landing);
    List<LocalDate> nights = TinyLanding.BILLING_NIGHTS.stream().map(LocalDate::parse).toList();

    job.run(nights.get(0));
    assertThat(reconciliation(warehouse)).isEmpty(); // m-2 is free, m-4 undelivered: nothing expected yet

    // the charge for m-2 is dated by m-2's delivery (2026-11-21), before the line's own date
    job.run(nights.get(1));
    List<String> afterLines = List.of(
        "m-2 2026-11-21 unexpected_charge 0.000000 0.001400",
        "m-4 2026-11-22 unexpected_charge 0.000000 0.010700",
        "m-404 2026-11-22 unknown_message null 0.010700");
    assertThat(reconciliation(warehouse)).containsExactlyElementsOf(afterLines);

    // a night from 2026-11-22 on: m-2's line of that date stays with m-2, not an unknown message
    job.run(nights.get(2));
    assertThat(reconciliation(warehouse)).containsExactly(afterLines.get(0), afterLines.get(1), afterLines.get(2),
        "m-5 2026-11-23 match 0.010700 0.010700");

    // a week after the first night: of the statuses that landed then, s-9's message never came
    job.run(nights.get(3));
    assertThat(warehouse.read(Table.OPS_RUNS).where("dates = '2026-11-28'").selectExpr("counts['rating.orphan_status']")
        .as(Encoders.LONG()).collectAsList()).containsExactly(1L);

    OneRunOverAll.assertSameRows(SPARK, landing, nights.get(3), warehouse, List.of(Table.GOLD_BILLING_RECONCILIATION, Table.GOLD_RECONCILIATION_DAILY));
    ContractComparison.assertSameRows(landing, nights.get(3), warehouse, List.of(Table.SILVER_RATED_MESSAGES,
        Table.GOLD_BILLING_RECONCILIATION, Table.GOLD_RECONCILIATION_DAILY));
  }

  private static List<String> reconciliation(Warehouse warehouse) {
    return warehouse.read(Table.GOLD_BILLING_RECONCILIATION).orderBy("message_id")
        .selectExpr("concat_ws(' ', message_id, cast(date AS STRING), outcome, coalesce(cast(expected AS STRING), 'null'), "
            + "cast(billed AS STRING))")
        .as(Encoders.STRING()).collectAsList();
  }
}
