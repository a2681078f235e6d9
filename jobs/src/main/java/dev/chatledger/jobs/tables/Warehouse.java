package dev.chatledger.jobs.tables;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A warehouse root (any Hadoop file system URI) holding the registry's Delta tables, and the only
 * place that reads or writes them. Tables are registered by path in the session catalog on
 * {@link #open}, so {@code SELECT ... FROM gold.x} works in every new process with no shared
 * metastore (and no lock against a running night).
 */
public final class Warehouse {
  private static final Logger LOG = LoggerFactory.getLogger(Warehouse.class);
  /** Columns that differ between two runs of the same night by design; ignored when comparing. */
  private static final String RUN_ID = "run_id";

  private final SparkSession spark;
  private final String root;

  private Warehouse(SparkSession spark, String root) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  /**
   * Opens a warehouse and registers every published table by name: audit logs at their latest version, every
   * other table as a view pinned to the Delta version of the latest publication (CONTRACT 6
   * names). A warehouse that has never published (written before publications existed) shows
   * the latest versions.
   */
  public static Warehouse open(SparkSession spark, String root) {
    Warehouse w = new Warehouse(spark, qualify(spark, root));
    for (Layer layer : Layer.values()) {
      if (!spark.catalog().databaseExists(layer.schema())) { // (IF NOT EXISTS alone still warns)
        spark.sql("CREATE DATABASE IF NOT EXISTS " + layer.schema());
      }
    }
    Map<String, Long> published = w.latestPublication();
    for (Table t : Table.values()) {
      if (!w.exists(t)) {
        continue;
      }
      if (t.isAuditLog() || published == null) {
        w.register(t, null);
      } else if (published.containsKey(t.qualifiedName())) {
        w.register(t, published.get(t.qualifiedName()));
      }
    }
    return w;
  }

  /** The versions of the latest publication; null when nothing was ever published. */
  public Map<String, Long> latestPublication() {
    if (!exists(Table.OPS_PUBLICATIONS)) {
      return null;
    }
    List<Row> last = read(Table.OPS_PUBLICATIONS).orderBy(col("published_at").desc()).limit(1).collectAsList();
    return last.isEmpty() ? null : last.get(0).getJavaMap(last.get(0).fieldIndex("versions"));
  }

  /**
   * Whether {@code t} exists at the version {@code versions} (a publication) gives it; false
   * when it does not exist, or nothing was published.
   */
  public boolean atVersion(Table t, Map<String, Long> versions) {
    return versions != null && exists(t) && java.util.Objects.equals(versions.get(t.qualifiedName()), version(t));
  }

  /**
   * Publishes the current version of every table (audit logs aside) in one atomic append to
   * {@code ops.publications}, then points this session's names at them. Nothing is appended when
   * the versions are those already published (a re-run that changed nothing). Returns the versions.
   */
  public Map<String, Long> publish(String runId, String dates) {
    Map<String, Long> versions = new TreeMap<>();
    for (Table t : Table.values()) {
      if (!t.isAuditLog() && exists(t)) {
        versions.put(t.qualifiedName(), version(t));
      }
    }
    Map<String, Long> previous = latestPublication();
    if (!versions.equals(previous == null ? null : new TreeMap<>(previous))) {
      Row row = RowFactory.create(runId, dates, Timestamp.from(Instant.now()),
          scala.jdk.javaapi.CollectionConverters.asScala(versions));
      append(Table.OPS_PUBLICATIONS, spark.createDataFrame(List.of(row), Table.OPS_PUBLICATIONS.schema()));
    }
    for (Table t : Table.values()) {
      if (exists(t)) {
        register(t, t.isAuditLog() ? null : versions.get(t.qualifiedName()));
      }
    }
    return versions;
  }

  /** The table's current Delta version. */
  public long version(Table t) {
    // the log's latest snapshot, without a query: DeltaTable.history(1) runs a Spark job that
    // generates code for CommitInfo rows, and a night asks for every table's version twice
    return snapshot(t).version();
  }

  /**
   * The table's live files as its Delta log lists them (one row per file: path, partitionValues,
   * size, deletionVector, ...): file metadata from the log, no data file is read.
   */
  public Dataset<Row> snapshotFiles(Table t) {
    return snapshot(t).allFiles().toDF();
  }

  /** The table's latest snapshot from its Delta log. */
  private org.apache.spark.sql.delta.Snapshot snapshot(Table t) {
    org.apache.spark.sql.delta.DeltaLog log = org.apache.spark.sql.delta.DeltaLog.forTable(spark, path(t));
    return log.update(log.update$default$1(), log.update$default$2(), log.update$default$3());
  }

  private static String qualify(SparkSession spark, String root) {
    try {
      Path p = new Path(root);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.makeQualified(p).toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open warehouse " + root + ": " + e.getMessage(), e);
    }
  }

  public SparkSession spark() {
    return spark;
  }

  public String root() {
    return root;
  }

  public String path(Table t) {
    return root + "/" + t.relativePath();
  }

  public boolean exists(Table t) {
    try {
      Path log = new Path(path(t) + "/_delta_log");
      return log.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Names the table in the catalog: a view pinned to {@code version}, or the latest version when
   * null (audit logs). Views, not catalog tables, so that re-pointing a name (to another version,
   * or another warehouse opened in the same session) never touches the data.
   */
  private void register(Table t, Long version) {
    String source = "delta.`" + path(t).replace("`", "``") + "`" + (version == null ? "" : " VERSION AS OF " + version);
    String comment = " COMMENT '" + t.description().replace("\\", "\\\\").replace("'", "\\'") + "'";
    String columns = Arrays.stream(t.schema().fieldNames()).map(n -> "`" + n + "`").collect(Collectors.joining(", "));
    try {
      // the registry's columns with their descriptions as column comments (the data dictionary)
      spark.sql("CREATE OR REPLACE VIEW " + t.qualifiedName() + " (" + DataDictionary.viewColumns(t) + ")" + comment
          + " AS SELECT " + columns + " FROM " + source);
    } catch (Exception e) { // Scala throws AnalysisException undeclared
      if (!(e instanceof org.apache.spark.sql.AnalysisException)) {
        throw e;
      }
      // a table written before the registry gained a column: show it as it is
      LOG.warn("{}: registering without column comments: {}", t.qualifiedName(), e.getMessage());
      spark.sql("CREATE OR REPLACE VIEW " + t.qualifiedName() + comment + " AS SELECT * FROM " + source);
    }
  }

  /** The table's current rows; an empty frame of the registry schema when it does not exist yet. */
  public Dataset<Row> read(Table t) {
    if (!exists(t)) {
      return spark.createDataFrame(java.util.List.of(), t.schema());
    }
    return spark.read().format("delta").load(path(t));
  }

  /**
   * The table's rows as of the latest publication (what readers see); an empty frame of the
   * registry schema when it was not published.
   */
  public Dataset<Row> readPublished(Table t) {
    Map<String, Long> published = latestPublication();
    Long version = published == null ? null : published.get(t.qualifiedName());
    if (version == null) {
      return spark.createDataFrame(java.util.List.of(), t.schema());
    }
    return spark.read().format("delta").option("versionAsOf", version).load(path(t));
  }

  /** Creates the table from the registry (schema, partitioning, comments) when it is missing. */
  public void ensure(Table t) {
    if (exists(t)) {
      return;
    }
    DeltaTableBuilder b = DeltaTable.createIfNotExists(spark)
        .location(path(t))
        .comment(t.description() + " Grain: " + t.grain() + ".")
        .addColumns(t.schema());
    if (!t.partitionBy().isEmpty()) {
      b = b.partitionedBy(t.partitionBy().toArray(new String[0]));
    }
    b.execute();
    if (t.isAuditLog()) {
      register(t, null);
    }
  }

  /**
   * Replaces the rows matching {@code where} with {@code rows}, unless the table already holds
   * exactly those rows (run ids aside): so re-running a night changes no table, not even its
   * version history. Returns whether anything was written.
   */
  public boolean replace(Table t, String where, Dataset<Row> rows) {
    return writing(t, () -> replaceNow(t, where, rows));
  }

  private boolean replaceNow(Table t, String where, Dataset<Row> rows) {
    ensure(t);
    Dataset<Row> aligned = align(t, rows);
    Dataset<Row> current = read(t).where(where);
    if (sameContent(current, aligned)) {
      LOG.info("{}: rows where {} unchanged, not rewritten", t.qualifiedName(), where);
      return false;
    }
    aligned.write().format("delta").mode(SaveMode.Overwrite).option("mergeSchema", "true").option("replaceWhere", where).save(path(t));
    return true;
  }

  /** Replaces the whole table, unless it already holds exactly these rows. */
  public boolean replaceAll(Table t, Dataset<Row> rows) {
    return writing(t, () -> replaceAllNow(t, rows));
  }

  private boolean replaceAllNow(Table t, Dataset<Row> rows) {
    ensure(t);
    Dataset<Row> aligned = align(t, rows);
    if (sameContent(read(t), aligned)) {
      return false;
    }
    aligned.write().format("delta").mode(SaveMode.Overwrite).option("mergeSchema", "true").save(path(t));
    return true;
  }

  /**
   * Replaces only the partitions (values of the table's first partition column, a date) whose
   * rows differ from {@code rows}: a night rewrites the dates it affects and no others. Compares
   * per date by row count and an order-independent hash sum (run ids aside), in one Spark job.
   * Returns how many dates were rewritten.
   */
  public long replaceChangedPartitions(Table t, Dataset<Row> rows) {
    return replaceChangedPartitions(t, rows, null);
  }

  /**
   * As {@link #replaceChangedPartitions(Table, Dataset)}, for the dates on or after {@code from}
   * only: {@code rows} are the table's rows from that date on, earlier dates are left as they
   * are and not even read. Null: {@code rows} are the whole table.
   */
  public long replaceChangedPartitions(Table t, Dataset<Row> rows, java.time.LocalDate from) {
    return writing(t, () -> replaceChangedPartitionsNow(t, rows, from));
  }

  private long replaceChangedPartitionsNow(Table t, Dataset<Row> rows, java.time.LocalDate from) {
    if (t.partitionBy().isEmpty()) {
      return replaceAll(t, rows) ? 1 : 0;
    }
    ensure(t);
    String p = t.partitionBy().get(0);
    Dataset<Row> aligned = align(t, rows);
    Dataset<Row> current = read(t);
    if (!Arrays.asList(current.columns()).containsAll(Arrays.asList(aligned.columns()))) {
      if (from != null) {
        throw new IllegalStateException(t.qualifiedName() + " lacks columns of the registry: rebuild the warehouse");
      }
      return replaceAll(t, rows) ? 1 : 0; // the registry added a column: rewrite with it
    }
    if (from != null) {
      Column since = col(p).geq(lit(java.sql.Date.valueOf(from)));
      aligned = aligned.where(since);
      current = current.where(since);
    }
    // compared, then written: derived once (a gold table's whole derivation, otherwise twice)
    aligned = aligned.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return replaceChanged(t, p, aligned, current);
    } finally {
      aligned.unpersist();
    }
  }

  /**
   * Replaces the whole table with {@code rows} without comparing them first: for rows known to
   * differ from what it holds (a consent state that moves to a later date), which the comparison
   * would derive once more only to find so.
   */
  public void overwriteAll(Table t, Dataset<Row> rows) {
    writing(t, () -> {
      ensure(t);
      align(t, rows).write().format("delta").mode(SaveMode.Overwrite).option("mergeSchema", "true").save(path(t));
      return null;
    });
  }

  /**
   * The whole table replaced with {@code rows}: by {@link #overwriteAll} when {@code rowsDiffer}
   * (they are known to change), else by {@link #replaceAll(Table, Dataset)}, which writes nothing
   * when the table already holds them. Returns whether it wrote.
   */
  public boolean replaceAll(Table t, Dataset<Row> rows, boolean rowsDiffer) {
    if (!rowsDiffer) {
      return replaceAll(t, rows);
    }
    overwriteAll(t, rows);
    return true;
  }

  /**
   * Replaces every date from {@code from} on with {@code rows} (the table's rows from that date
   * on) without comparing them first: for rows known to differ from what the table holds (a
   * night's rating after new messages or statuses came), where the comparison would read and hash
   * both sides and cache the new rows for nothing. Returns how many dates {@code rows} holds.
   */
  public long overwriteFrom(Table t, Dataset<Row> rows, java.time.LocalDate from) {
    return writing(t, () -> {
      ensure(t);
      String p = t.partitionBy().get(0);
      String where = p + " >= DATE'" + from + "'";
      align(t, rows).where(where).write().format("delta").mode(SaveMode.Overwrite).option("mergeSchema", "true")
          .option("replaceWhere", where).save(path(t));
      // the partition column only: answered from the files' partition values and row counts
      return read(t).where(where).select(p).distinct().count();
    });
  }

  /**
   * The dates from {@code from} on replaced with {@code rows}: by {@link #overwriteFrom} when
   * {@code rowsDiffer} (they are known to change, so comparing would be wasted work), else by
   * {@link #replaceChangedPartitions(Table, Dataset, java.time.LocalDate)}. Returns the dates written.
   */
  public long replaceFrom(Table t, Dataset<Row> rows, java.time.LocalDate from, boolean rowsDiffer) {
    return rowsDiffer ? overwriteFrom(t, rows, from) : replaceChangedPartitions(t, rows, from);
  }

  private long replaceChanged(Table t, String p, Dataset<Row> aligned, Dataset<Row> current) {
    Column hash = rowHash(aligned);
    Column side = col("side");
    List<Row> changed = current.select(col(p).as("p"), lit(0).as("side"), hash)
        .unionAll(aligned.select(col(p).as("p"), lit(1).as("side"), hash))
        .groupBy("p")
        .agg(sum(when(side.equalTo(0), lit(1L)).otherwise(lit(0L))).as("n0"),
            sum(when(side.equalTo(1), lit(1L)).otherwise(lit(0L))).as("n1"),
            sum(when(side.equalTo(0), col("h"))).as("h0"),
            sum(when(side.equalTo(1), col("h"))).as("h1"))
        .where(col("n0").notEqual(col("n1")).or(col("h0").eqNullSafe(col("h1")).unary_$bang()))
        .select("p")
        .collectAsList(); // one row per changed date: a few hundred at most
    if (changed.isEmpty()) {
      return 0;
    }
    List<String> values = new java.util.ArrayList<>();
    boolean nullChanged = false;
    for (Row r : changed) {
      if (r.isNullAt(0)) {
        nullChanged = true;
      } else {
        values.add("DATE'" + r.get(0) + "'");
      }
    }
    String where = (values.isEmpty() ? "false" : p + " IN (" + String.join(", ", values) + ")")
        + (nullChanged ? " OR " + p + " IS NULL" : "");
    aligned.where(where).write().format("delta").mode(SaveMode.Overwrite).option("mergeSchema", "true")
        .option("replaceWhere", where).save(path(t));
    return changed.size();
  }

  public void append(Table t, Dataset<Row> rows) {
    writing(t, () -> {
      ensure(t);
      align(t, rows).write().format("delta").mode(SaveMode.Append).option("mergeSchema", "true").save(path(t));
      return null;
    });
  }

  /**
   * Runs a write with Spark's job description set to the table, so that the Spark UI and the
   * bench's rows read by call site name the table each job computes (a night derives a table in
   * the job that compares and writes it).
   */
  private <T> T writing(Table t, java.util.function.Supplier<T> write) {
    String before = spark.sparkContext().getLocalProperty("spark.job.description");
    spark.sparkContext().setJobDescription("write " + t.qualifiedName());
    try {
      return write.get();
    } finally {
      spark.sparkContext().setJobDescription(before);
    }
  }

  /** Selects and casts the registry's columns in order, so a job cannot write a stray column. */
  private static Dataset<Row> align(Table t, Dataset<Row> rows) {
    Column[] cols = Arrays.stream(t.schema().fields())
        .map(f -> col(f.name()).cast(f.dataType()).as(f.name()))
        .toArray(Column[]::new);
    return rows.select(cols);
  }

  /** A 64-bit hash of a row's columns (run ids aside) as a decimal, to be summed without overflow. */
  private static Column rowHash(Dataset<Row> rows) {
    Column[] content = Arrays.stream(rows.schema().fields())
        .map(StructField::name)
        .filter(n -> !RUN_ID.equals(n))
        .map(n -> col("`" + n + "`"))
        .toArray(Column[]::new);
    return xxhash64(content).cast(DataTypes.createDecimalType(38, 0)).as("h");
  }

  /**
   * Whether two frames of the same schema hold the same rows (run ids aside), compared by row
   * count and an order-independent sum of row hashes, both sides in one Spark job.
   */
  private static boolean sameContent(Dataset<Row> current, Dataset<Row> next) {
    if (!Arrays.asList(current.columns()).containsAll(Arrays.asList(next.columns()))) {
      return false; // the registry added a column: the table is rewritten with it (mergeSchema)
    }
    Column hash = rowHash(next);
    List<Row> sides = current.select(lit(0).as("side"), hash)
        .unionAll(next.select(lit(1).as("side"), hash))
        .groupBy("side").agg(count(lit(1)), sum(col("h")))
        .collectAsList(); // at most two rows
    Object[][] fp = {{0L, null}, {0L, null}};
    for (Row r : sides) {
      fp[r.getInt(0)] = new Object[] {r.getLong(1), r.get(2)};
    }
    return Objects.equals(fp[0][0], fp[1][0]) && Objects.equals(fp[0][1], fp[1][1]);
  }
}
