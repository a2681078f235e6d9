package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.SparkTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoldLayerTest extends SparkTestSupport {
  private static final StructType RATED = StructType.fromDDL("message_id STRING, sent_date DATE, revenue_date DATE");

  /** Rows the tasks of {@code run} read from files (before any filter), summed over its jobs. */
  private static long rowsScanned(Runnable run) throws Exception {
    AtomicLong rows = new AtomicLong();
    SparkListener listener = new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
          rows.addAndGet(end.taskMetrics().inputMetrics().recordsRead());
        }
      }
    };
    SPARK.sparkContext().listenerBus().waitUntilEmpty();
    SPARK.sparkContext().addSparkListener(listener);
    try {
      run.run();
      SPARK.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      SPARK.sparkContext().removeSparkListener(listener);
    }
    return rows.get();
  }

  @Test
  void sentOrRevenueSinceReadsTheSameRowsAsOneOrFilterButNotTheOldFilesWithoutLateRevenue(@TempDir Path dir)
      throws Exception {
    // ten sent dates of 50 messages each, delivered the same day or not at all; Oct 3 has one
    // message delivered on Oct 9 (its revenue is after the horizon), Oct 4 one on Oct 8
    List<Row> rows = new ArrayList<>();
    for (int d = 1; d <= 10; d++) {
      for (int i = 0; i < 50; i++) {
        Date sent = Date.valueOf(LocalDate.of(2026, 10, d));
        Date revenue = i % 7 == 0 ? null : sent;
        if (d == 3 && i == 1) {
          revenue = Date.valueOf("2026-10-09");
        }
        if (d == 4 && i == 1) {
          revenue = Date.valueOf("2026-10-08");
        }
        rows.add(RowFactory.create("m-" + d + "-" + i, sent, revenue));
      }
    }
    String path = Files.createDirectories(dir.resolve("rated")).toString();
    SPARK.createDataFrame(rows, RATED).repartition(1).write().format("delta").partitionBy("sent_date").save(path);
    Dataset<Row> rated = SPARK.read().format("delta").load(path);
    LocalDate horizon = LocalDate.of(2026, 10, 8);

    Dataset<Row> orFilter = rated.where(col("sent_date").geq(lit(Date.valueOf(horizon)))
        .or(col("revenue_date").geq(lit(Date.valueOf(horizon)))));
    Dataset<Row> twoReads = GoldLayer.sentOrRevenueSince(rated, horizon, horizon);

    assertThat(twoReads.collectAsList()).containsExactlyInAnyOrderElementsOf(orFilter.collectAsList());
    assertThat(twoReads.where(col("sent_date").lt(lit(Date.valueOf(horizon)))).select("message_id").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList()).containsExactlyInAnyOrder("m-3-1", "m-4-1");
    // sent Oct 8-10 (3 files) and the two files with revenue from Oct 8 on: 5 of the 10 files
    // (Delta's file listing adds a few rows of its log state per read: less than one file's 50)
    long scannedByTwoReads = rowsScanned(() -> twoReads.count());
    long scannedByOrFilter = rowsScanned(() -> orFilter.count());
    assertThat(scannedByTwoReads).isBetween(5 * 50L, 6 * 50L - 1);
    assertThat(scannedByOrFilter).isGreaterThanOrEqualTo(10 * 50L);
  }
}
