package dev.chatledger.jobs.tables;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
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

  /** Opens a warehouse and registers every existing table by name. */
  public static Warehouse open(SparkSession spark, String root) {
    Warehouse w = new Warehouse(spark, qualify(spark, root));
    for (Layer layer : Layer.values()) {
      spark.sql("CREATE DATABASE IF NOT EXISTS " + layer.schema());
    }
    for (Table t : Table.values()) {
      if (w.exists(t)) {
        w.register(t);
      }
    }
    return w;
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

  private void register(Table t) {
    spark.sql("CREATE TABLE IF NOT EXISTS " + t.qualifiedName() + " USING delta LOCATION '"
        + path(t).replace("'", "\\'") + "'");
  }

  /** The table's current rows; an empty frame of the registry schema when it does not exist yet. */
  public Dataset<Row> read(Table t) {
    if (!exists(t)) {
      return spark.createDataFrame(java.util.List.of(), t.schema());
    }
    return spark.read().format("delta").load(path(t));
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
    register(t);
  }

  /**
   * Replaces the rows matching {@code where} with {@code rows}, unless the table already holds
   * exactly those rows (run ids aside): so re-running a night changes no table, not even its
   * version history. Returns whether anything was written.
   */
  public boolean replace(Table t, String where, Dataset<Row> rows) {
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
    ensure(t);
    Dataset<Row> aligned = align(t, rows);
    if (sameContent(read(t), aligned)) {
      return false;
    }
    aligned.write().format("delta").mode(SaveMode.Overwrite).option("mergeSchema", "true").save(path(t));
    return true;
  }

  public void append(Table t, Dataset<Row> rows) {
    ensure(t);
    align(t, rows).write().format("delta").mode(SaveMode.Append).option("mergeSchema", "true").save(path(t));
  }

  /** Selects and casts the registry's columns in order, so a job cannot write a stray column. */
  private static Dataset<Row> align(Table t, Dataset<Row> rows) {
    Column[] cols = Arrays.stream(t.schema().fields())
        .map(f -> col(f.name()).cast(f.dataType()).as(f.name()))
        .toArray(Column[]::new);
    return rows.select(cols);
  }

  /**
   * Whether two frames of the same schema hold the same rows (run ids aside), compared by row
   * count and an order-independent sum of row hashes, both sides in one Spark job.
   */
  private static boolean sameContent(Dataset<Row> current, Dataset<Row> next) {
    if (!Arrays.asList(current.columns()).containsAll(Arrays.asList(next.columns()))) {
      return false; // the registry added a column: the table is rewritten with it (mergeSchema)
    }
    Column[] content = Arrays.stream(next.schema().fields())
        .map(StructField::name)
        .filter(n -> !RUN_ID.equals(n))
        .map(n -> col("`" + n + "`"))
        .toArray(Column[]::new);
    Column hash = xxhash64(content).cast(DataTypes.createDecimalType(38, 0)).as("h");
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
