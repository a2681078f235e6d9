package dev.chatledger.jobs.tables;

import static org.apache.spark.sql.functions.input_file_name;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.SparkTestSupport;
import java.nio.file.Path;
import java.sql.Date;
import java.util.List;
import java.util.Map;
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

  /** Rated messages with only a message_id, a sent date and a price (the other columns null). */
  private static Dataset<Row> rated(Object[]... rows) {
    org.apache.spark.sql.types.StructType schema = Table.SILVER_RATED_MESSAGES.schema();
    List<Row> list = java.util.Arrays.stream(rows).map(r -> {
      Object[] values = new Object[schema.size()];
      values[schema.fieldIndex("message_id")] = r[0];
      values[schema.fieldIndex("sent_date")] = Date.valueOf((String) r[1]);
      values[schema.fieldIndex("price")] = new java.math.BigDecimal((String) r[2]).setScale(6);
      return RowFactory.create(values);
    }).toList();
    return SPARK.createDataFrame(list, schema);
  }

  private static Object[] message(String id, String sentDate, String price) {
    return new Object[] {id, sentDate, price};
  }

  private static Map<String, String> lastCommitMetrics(Warehouse w, Table t) {
    Row last = io.delta.tables.DeltaTable.forPath(SPARK, w.path(t)).history(1).first();
    return last.getJavaMap(last.fieldIndex("operationMetrics"));
  }

  @Test
  void aNightMergesOnlyTheRatedRowsThatChanged(@TempDir Path dir) {
    Warehouse w = Warehouse.open(SPARK, dir.toString());
    Table t = Table.SILVER_RATED_MESSAGES;
    w.replaceChangedPartitions(t, rated(message("m-1", "2026-11-01", "0.01"), message("m-2", "2026-11-01", "0.02"),
        message("m-3", "2026-11-02", "0.03"), message("m-4", "2026-11-02", "0.04"), message("m-5", "2026-11-03", "0.05")));
    long version = w.version(t);

    // re-rated from 11-02: m-3's price changes, m-6 is new, m-4 and m-5 come out as they were
    assertThat(w.mergeChangedRows(t, rated(message("m-3", "2026-11-02", "0.0301"), message("m-4", "2026-11-02", "0.04"),
        message("m-5", "2026-11-03", "0.05"), message("m-6", "2026-11-03", "0.06")), java.time.LocalDate.parse("2026-11-02")))
        .isEqualTo(2);
    Map<String, String> merge = lastCommitMetrics(w, t);
    assertThat(merge.get("numTargetRowsUpdated")).isEqualTo("1");
    assertThat(merge.get("numTargetRowsInserted")).isEqualTo("1");
    assertThat(merge.get("numTargetRowsCopied")).isEqualTo("0"); // m-4 stays where it was: a deletion vector marks m-3
    assertThat(merge.get("numTargetDeletionVectorsAdded")).isEqualTo("1");
    Map<String, String> prices = new java.util.TreeMap<>();
    w.read(t).collectAsList().forEach(r -> prices.put(r.getAs("message_id"), r.<java.math.BigDecimal>getAs("price").toPlainString()));
    assertThat(prices).containsExactly(Map.entry("m-1", "0.010000"), Map.entry("m-2", "0.020000"),
        Map.entry("m-3", "0.030100"), Map.entry("m-4", "0.040000"), Map.entry("m-5", "0.050000"), Map.entry("m-6", "0.060000"));
    long merged = w.version(t);
    assertThat(merged).isGreaterThan(version);

    // the same rows again: nothing written
    assertThat(w.mergeChangedRows(t, rated(message("m-3", "2026-11-02", "0.0301"), message("m-4", "2026-11-02", "0.04"),
        message("m-5", "2026-11-03", "0.05"), message("m-6", "2026-11-03", "0.06")), java.time.LocalDate.parse("2026-11-02")))
        .isZero();
    assertThat(w.version(t)).isEqualTo(merged);

    // a row the night no longer derives is deleted; the dates before the horizon are not touched
    assertThat(w.mergeChangedRows(t, rated(message("m-3", "2026-11-02", "0.0301"), message("m-5", "2026-11-03", "0.05"),
        message("m-6", "2026-11-03", "0.06")), java.time.LocalDate.parse("2026-11-02"))).isEqualTo(1);
    assertThat(w.read(t).select("message_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
        .containsExactlyInAnyOrder("m-1", "m-2", "m-3", "m-5", "m-6");
  }
}
