package dev.chatledger.jobs.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a warehouse that grows every night cheap to read: OPTIMIZE compacts each table's small
 * files (Z-ordered by the columns analysts filter on), a publication makes the compacted versions
 * the ones readers see, and VACUUM deletes the files no version within the retention needs.
 * A writer like a night: it takes the writer lock and is recorded in ops.runs.
 */
public final class Maintenance {
  private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
  /** Delta's own safety default: readers and time travel of the last week keep their files. */
  public static final int DEFAULT_RETENTION_HOURS = 168;

  public record TableFiles(long liveBefore, long liveAfter, long onDiskBefore, long onDiskAfter) {}

  private Maintenance() {}

  public static Map<Table, TableFiles> run(Warehouse w, boolean optimize, boolean vacuum, int retentionHours) {
    if (retentionHours < 0) {
      throw new IllegalArgumentException("--retention-hours must be >= 0, got " + retentionHours);
    }
    Instant started = Instant.now();
    String runId = RunRecord.newRunId("maintain", started);
    Map<String, Long> counts = new LinkedHashMap<>();
    Map<Table, TableFiles> result = new LinkedHashMap<>();
    try (WriterLock lock = WriterLock.acquire(w, runId)) {
      Map<Table, long[]> before = new LinkedHashMap<>();
      for (Table t : Table.values()) {
        if (w.exists(t)) {
          before.put(t, new long[] {liveFiles(w, t), filesOnDisk(w, t)});
        }
      }
      if (optimize) {
        for (Table t : before.keySet()) {
          Instant t0 = Instant.now();
          String where = crowdedPartitions(w, t);
          if (where == null) {
            LOG.info("maintain: {} has one file per partition: nothing to optimize", t.qualifiedName());
            continue;
          }
          String zOrder = t.zOrderBy().isEmpty() ? "" : " ZORDER BY (" + String.join(", ", t.zOrderBy()) + ")";
          w.spark().sql("OPTIMIZE delta.`" + w.path(t) + "`" + where + zOrder);
          LOG.info("maintain: optimized {}{}{} in {} s", t.qualifiedName(), where, zOrder, seconds(t0));
        }
        // the compacted versions hold the same rows: make them the ones readers see
        w.publish(runId, "");
      }
      if (vacuum) {
        if (retentionHours < DEFAULT_RETENTION_HOURS) {
          // the operator asked for it explicitly; Delta refuses shorter retentions by default
          w.spark().conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
        }
        for (Table t : before.keySet()) {
          Instant t0 = Instant.now();
          w.spark().sql("VACUUM delta.`" + w.path(t) + "` RETAIN " + retentionHours + " HOURS");
          LOG.info("maintain: vacuumed {} (retain {} h) in {} s", t.qualifiedName(), retentionHours, seconds(t0));
        }
        // VACUUM commits too (VACUUM START / END): without this the next night would find no
        // table as published and derive every date again
        w.publish(runId, "");
      }
      for (Map.Entry<Table, long[]> e : before.entrySet()) {
        Table t = e.getKey();
        TableFiles f = new TableFiles(e.getValue()[0], liveFiles(w, t), e.getValue()[1], filesOnDisk(w, t));
        result.put(t, f);
        counts.put(t.qualifiedName() + ".live_files", f.liveAfter());
        counts.put(t.qualifiedName() + ".files_on_disk", f.onDiskAfter());
      }
      RunRecord.write(w, runId, "maintain", "", started, "succeeded", counts, null);
      return result;
    } catch (WriterLock.Busy e) {
      throw e;
    } catch (RuntimeException e) {
      throw RunRecord.failed(w, runId, "maintain", "", started, counts, e);
    }
  }

  /**
   * The {@code WHERE} clause naming the partitions that hold more than one live file or a file
   * with deleted rows ({@code ""} for all of an unpartitioned table), or null when there are none.
   * Z-ordering rewrites every file it is given, a partition it compacted before included: a
   * maintain that named the whole table would rewrite all of history every time, so its cost
   * follows what the nights since the last one wrote.
   */
  static String crowdedPartitions(Warehouse w, Table t) {
    List<Column> partition = t.partitionBy().stream()
        .map(c -> col("partitionValues").getItem(c).as(c)).toList();
    List<Row> crowded = w.snapshotFiles(t)
        .groupBy(partition.toArray(Column[]::new))
        .agg(count(lit(1)).as("_files"), max(col("deletionVector").isNotNull()).as("_deleted_rows"))
        .where(col("_files").gt(1).or(col("_deleted_rows")))
        .collectAsList(); // one row per partition to compact: a few dozen between weekly maintains
    if (crowded.isEmpty()) {
      return null;
    }
    if (t.partitionBy().isEmpty()) {
      return "";
    }
    return " WHERE " + crowded.stream().map(r -> t.partitionBy().stream()
            .map(c -> r.isNullAt(r.fieldIndex(c)) ? c + " IS NULL"
                : c + " = '" + r.getString(r.fieldIndex(c)).replace("'", "''") + "'")
            .collect(Collectors.joining(" AND ", "(", ")")))
        .collect(Collectors.joining(" OR "));
  }

  /** Data files in the table's current version. */
  public static long liveFiles(Warehouse w, Table t) {
    return w.spark().sql("DESCRIBE DETAIL delta.`" + w.path(t) + "`").first().<Long>getAs("numFiles");
  }

  /** Parquet data files under the table's folder, referenced or not (what VACUUM can reclaim). */
  public static long filesOnDisk(Warehouse w, Table t) {
    try {
      Path root = new Path(w.path(t));
      FileSystem fs = root.getFileSystem(w.spark().sparkContext().hadoopConfiguration());
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
      long n = 0;
      while (files.hasNext()) {
        Path p = files.next().getPath();
        if (p.getName().endsWith(".parquet") && !p.toString().contains("/_delta_log/")) {
          n++;
        }
      }
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String seconds(Instant t0) {
    return String.format(java.util.Locale.ROOT, "%.1f", java.time.Duration.between(t0, Instant.now()).toMillis() / 1000.0);
  }
}
