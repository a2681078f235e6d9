package dev.chatledger.jobs.tables;

import static org.apache.spark.sql.functions.input_file_name;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.SparkTestSupport;
import java.nio.file.Path;
import java.sql.Date;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Date-scoped rewrites: a night rewrites the dates whose rows changed, and no others. */
class WarehouseTest extends SparkTestSupport {

  private static Dataset<Row> cohorts(Object[]... rows) {
    List<Row> list = java.util.Arrays.stream(rows).map(RowFactory::create).toList();
    return SPARK.createDataFrame(list, Table.GOLD_OPTIN_COHORTS.schema());
  }

  private static Object[] cohort(String date, String business, long prompted, long optedIn) {
    return new Object[] {Date.valueOf(date), business, "IN", prompted, optedIn, (double) optedIn / prompted, false};
  }

  private static List<String> files(Warehouse w, String date) {
    return w.read(Table.GOLD_OPTIN_COHORTS).where("prompt_date = DATE'" + date + "'")
        .select(input_file_name()).distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
  }

  @Test
  void onlyTheDatesWhoseRowsChangedAreRewritten(@TempDir Path dir) {
    Warehouse w = Warehouse.open(SPARK, dir.toString());
    assertThat(w.replaceChangedPartitions(Table.GOLD_OPTIN_COHORTS, cohorts(
        cohort("2026-11-01", "b-1", 4, 1), cohort("2026-11-02", "b-1", 2, 2), cohort("2026-11-03", "b-2", 5, 0))))
        .isEqualTo(3);
    long version = w.version(Table.GOLD_OPTIN_COHORTS);
    List<String> nov1 = files(w, "2026-11-01");
    List<String> nov3 = files(w, "2026-11-03");

    // a late opt-in changes 2026-11-02; 2026-11-04 is new; 2026-11-03 disappears; 2026-11-01 is as it was
    assertThat(w.replaceChangedPartitions(Table.GOLD_OPTIN_COHORTS, cohorts(
        cohort("2026-11-01", "b-1", 4, 1), cohort("2026-11-02", "b-1", 2, 1), cohort("2026-11-04", "b-1", 1, 1))))
        .isEqualTo(3);
    assertThat(w.version(Table.GOLD_OPTIN_COHORTS)).isEqualTo(version + 1);
    assertThat(files(w, "2026-11-01")).isEqualTo(nov1); // not rewritten
    assertThat(nov3).isNotEmpty();
    assertThat(files(w, "2026-11-03")).isEmpty();
    assertThat(w.read(Table.GOLD_OPTIN_COHORTS).where("prompt_date = DATE'2026-11-02'").first()
        .<Long>getAs("opted_in")).isEqualTo(1);
    assertThat(w.read(Table.GOLD_OPTIN_COHORTS).count()).isEqualTo(3);

    // the same rows again: nothing written, the version stays
    assertThat(w.replaceChangedPartitions(Table.GOLD_OPTIN_COHORTS, cohorts(
        cohort("2026-11-04", "b-1", 1, 1), cohort("2026-11-01", "b-1", 4, 1), cohort("2026-11-02", "b-1", 2, 1))))
        .isZero();
    assertThat(w.version(Table.GOLD_OPTIN_COHORTS)).isEqualTo(version + 1);
  }

  @Test
  void overwritingFromADateReplacesEveryLaterDateAndKeepsTheEarlierOnes(@TempDir Path dir) {
    Warehouse w = Warehouse.open(SPARK, dir.toString());
    w.replaceChangedPartitions(Table.GOLD_OPTIN_COHORTS, cohorts(
        cohort("2026-11-01", "b-1", 4, 1), cohort("2026-11-02", "b-1", 2, 2), cohort("2026-11-03", "b-2", 5, 0)));
    long version = w.version(Table.GOLD_OPTIN_COHORTS);
    List<String> nov1 = files(w, "2026-11-01");
    List<String> nov2 = files(w, "2026-11-02");

    // the rows from 2026-11-02 on: 2026-11-02 as it was, 2026-11-03 gone, 2026-11-04 new; a stray
    // earlier row in the input is not written
    assertThat(w.overwriteFrom(Table.GOLD_OPTIN_COHORTS, cohorts(cohort("2026-11-01", "b-9", 9, 9),
        cohort("2026-11-02", "b-1", 2, 2), cohort("2026-11-04", "b-1", 1, 1)), java.time.LocalDate.parse("2026-11-02")))
        .isEqualTo(2);
    assertThat(w.version(Table.GOLD_OPTIN_COHORTS)).isEqualTo(version + 1);
    assertThat(files(w, "2026-11-01")).isEqualTo(nov1); // before the date: not touched
    assertThat(files(w, "2026-11-02")).isNotEqualTo(nov2); // written without comparing
    assertThat(files(w, "2026-11-03")).isEmpty();
    assertThat(w.read(Table.GOLD_OPTIN_COHORTS).orderBy("prompt_date").select("business_id").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList()).containsExactly("b-1", "b-1", "b-1");
  }

  @Test
  void overwritingAWholeTableWritesWithoutComparingWhereReplacingSkipsTheSameRows(@TempDir Path dir) {
    Warehouse w = Warehouse.open(SPARK, dir.toString());
    Dataset<Row> rows = cohorts(cohort("2026-11-01", "b-1", 4, 1), cohort("2026-11-02", "b-1", 2, 2));
    assertThat(w.replaceAll(Table.GOLD_OPTIN_COHORTS, rows)).isTrue();
    long version = w.version(Table.GOLD_OPTIN_COHORTS);
    assertThat(w.replaceAll(Table.GOLD_OPTIN_COHORTS, rows)).isFalse(); // compared: the same rows, not written
    assertThat(w.replaceAll(Table.GOLD_OPTIN_COHORTS, rows, false)).isFalse();
    assertThat(w.version(Table.GOLD_OPTIN_COHORTS)).isEqualTo(version);

    // not compared: written even as the same rows, and every earlier row replaced
    w.overwriteAll(Table.GOLD_OPTIN_COHORTS, rows);
    assertThat(w.version(Table.GOLD_OPTIN_COHORTS)).isEqualTo(version + 1);
    assertThat(w.replaceAll(Table.GOLD_OPTIN_COHORTS, rows, true)).isTrue(); // known to differ: not compared
    assertThat(w.version(Table.GOLD_OPTIN_COHORTS)).isEqualTo(version + 2);
    w.overwriteAll(Table.GOLD_OPTIN_COHORTS, cohorts(cohort("2026-11-03", "b-2", 5, 0)));
    assertThat(w.read(Table.GOLD_OPTIN_COHORTS).select("business_id").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList()).containsExactly("b-2");
  }

  @Test
  void aTableIsAtItsPublishedVersionUntilItIsWrittenAgain(@TempDir Path dir) {
    Warehouse w = Warehouse.open(SPARK, dir.toString());
    assertThat(w.atVersion(Table.GOLD_OPTIN_COHORTS, w.latestPublication())).isFalse(); // nothing published
    w.replaceChangedPartitions(Table.GOLD_OPTIN_COHORTS, cohorts(cohort("2026-11-01", "b-1", 4, 1)));
    java.util.Map<String, Long> published = w.publish("run-1", "2026-11-01");
    assertThat(w.atVersion(Table.GOLD_OPTIN_COHORTS, published)).isTrue();
    assertThat(w.atVersion(Table.GOLD_CONSENT_DAILY, published)).isFalse(); // never written

    // rows known to differ are written without comparing, even when they are the same
    List<String> nov1 = files(w, "2026-11-01");
    assertThat(w.replaceFrom(Table.GOLD_OPTIN_COHORTS, cohorts(cohort("2026-11-01", "b-1", 4, 1)),
        java.time.LocalDate.parse("2026-11-01"), true)).isEqualTo(1);
    assertThat(files(w, "2026-11-01")).isNotEqualTo(nov1);
    assertThat(w.atVersion(Table.GOLD_OPTIN_COHORTS, published)).isFalse();
    assertThat(w.atVersion(Table.GOLD_OPTIN_COHORTS, w.latestPublication())).isFalse(); // not published again

    // otherwise compared first: the same rows write nothing
    long version = w.version(Table.GOLD_OPTIN_COHORTS);
    assertThat(w.replaceFrom(Table.GOLD_OPTIN_COHORTS, cohorts(cohort("2026-11-01", "b-1", 4, 1)),
        java.time.LocalDate.parse("2026-11-01"), false)).isZero();
    assertThat(w.version(Table.GOLD_OPTIN_COHORTS)).isEqualTo(version);
  }
}
