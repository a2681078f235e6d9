package dev.chatledger.jobs.ops;

import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.jdk.javaapi.CollectionConverters;

/** One row of {@code ops.runs}: written when a run ends, whether it succeeded or failed. */
public final class RunRecord {
  private static final DateTimeFormatter COMPACT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  private RunRecord() {}

  /** A unique, sortable, readable run id: {@code nightly-20261122T031500-1a2b3c}. */
  public static String newRunId(String command, Instant startedAt) {
    return command + "-" + COMPACT.format(startedAt) + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  /** The dates for which a run of {@code command} succeeded (ops.runs is small: one row per run). */
  public static java.util.Set<String> succeededDates(Warehouse w, String command) {
    java.util.Set<String> dates = new java.util.HashSet<>();
    if (!w.exists(Table.OPS_RUNS)) {
      return dates;
    }
    for (Row r : w.read(Table.OPS_RUNS).where(org.apache.spark.sql.functions.col("command").equalTo(command)
        .and(org.apache.spark.sql.functions.col("status").equalTo("succeeded"))).select("dates").collectAsList()) {
      dates.add(r.getString(0));
    }
    return dates;
  }

  /** The latest night a nightly run succeeded for; null when there is none. */
  public static java.time.LocalDate latestNight(Warehouse w) {
    if (!w.exists(Table.OPS_RUNS)) {
      return null;
    }
    Row r = w.read(Table.OPS_RUNS).where("command = 'nightly' AND status = 'succeeded'")
        .agg(org.apache.spark.sql.functions.max("dates")).first();
    return r.isNullAt(0) ? null : java.time.LocalDate.parse(r.getString(0));
  }

  /** The counts of the latest successful nightly run of an earlier night; null when there is none. */
  public static Map<String, Long> previousNightCounts(Warehouse w, java.time.LocalDate night) {
    if (!w.exists(Table.OPS_RUNS)) {
      return null;
    }
    List<Row> rows = w.read(Table.OPS_RUNS)
        .where("command = 'nightly' AND status = 'succeeded' AND dates < '" + night + "'")
        .orderBy(org.apache.spark.sql.functions.desc("dates"), org.apache.spark.sql.functions.desc("finished_at"))
        .select("counts").limit(1).collectAsList();
    return rows.isEmpty() ? null : rows.get(0).getJavaMap(0);
  }

  /** Records a failed run and returns its exception; a failure to record is attached to it. */
  public static RuntimeException failed(Warehouse w, String runId, String command, String dates, Instant startedAt,
      Map<String, Long> counts, RuntimeException failure) {
    try {
      write(w, runId, command, dates, startedAt, "failed", counts, String.valueOf(failure.getMessage()));
    } catch (RuntimeException recordFailure) {
      failure.addSuppressed(recordFailure);
    }
    return failure;
  }

  public static void write(Warehouse w, String runId, String command, String dates, Instant startedAt,
      String status, Map<String, Long> counts, String message) {
    Row row = RowFactory.create(runId, command, dates, Timestamp.from(startedAt),
        Timestamp.from(Instant.now()), status, CollectionConverters.asScala(counts), message);
    w.append(Table.OPS_RUNS, w.spark().createDataFrame(List.of(row), Table.OPS_RUNS.schema()));
  }
}
