package dev.chatledger.jobs.config;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the one SparkSession a process uses. The master is never hard-wired: spark-submit (or
 * {@code -Dspark.master=...}) decides; only when none is given does chatledger run in local mode,
 * and only then does it apply the small-machine settings measured in STACK-NOTES.
 */
public final class SparkSessions {
  /** Shuffle partitions for local runs; cluster runs keep Spark's own default or the user's. */
  public static final String LOCAL_SHUFFLE_PARTITIONS = "4";

  private SparkSessions() {}

  public static SparkSession getOrCreate(String appName) {
    return getOrCreate(appName, false);
  }

  /**
   * As {@link #getOrCreate(String)}; {@code smallData} (the demo, the tests: thousands of rows)
   * also turns Spark's code generation off in local mode. On a few thousand rows a night spends
   * most of its CPU generating Java source for each task's projections (a JFR profile of a demo
   * night: 60% of the executor threads' samples); interpreted expressions made a demo night about
   * a fifth faster. Never for real volumes: there generated code is what makes Spark fast.
   */
  public static SparkSession getOrCreate(String appName, boolean smallData) {
    SparkConf conf = new SparkConf(true); // picks up -Dspark.* and spark-submit settings
    boolean local = !conf.contains("spark.master") || conf.get("spark.master").startsWith("local");
    if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    conf.setIfMissing("spark.app.name", appName);
    conf.set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    // Tables are registered by path from the table registry in every session (see Warehouse):
    // no metastore process to share, so readers never lock out a running night.
    conf.set("spark.sql.catalogImplementation", "in-memory");
    // The in-memory catalog still makes an empty folder per database: keep them out of the work tree.
    conf.setIfMissing("spark.sql.warehouse.dir",
        java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "chatledger-catalog").toUri().toString());
    conf.set("spark.sql.session.timeZone", "UTC");
    conf.setIfMissing("spark.sql.ansi.enabled", "true");
    if (local) {
      conf.setIfMissing("spark.sql.shuffle.partitions", LOCAL_SHUFFLE_PARTITIONS);
      conf.setIfMissing("spark.default.parallelism", LOCAL_SHUFFLE_PARTITIONS);
      conf.setIfMissing("spark.databricks.delta.snapshotPartitions", "2");
      conf.setIfMissing("spark.sql.sources.parallelPartitionDiscovery.parallelism", "2");
      conf.setIfMissing("spark.ui.enabled", "false");
      conf.setIfMissing("spark.sql.ui.retainedExecutions", "5");
      conf.setIfMissing("spark.ui.showConsoleProgress", "true");
      // cached Datasets (a night's parsed lines above all) kept uncompressed: choosing each column's
      // encoding cost a tenth of a 200,000-message night's executor time, and memory is the
      // plentiful resource here (MEMORY_AND_DISK spills what does not fit)
      conf.setIfMissing("spark.sql.inMemoryColumnarStorage.compressed", "false");
      // file: paths without a chmod or readlink process per file (see the class)
      conf.setIfMissing("spark.hadoop.fs.file.impl", InProcessLocalFileSystem.class.getName());
      conf.setIfMissing("spark.hadoop.fs.AbstractFileSystem.file.impl", InProcessLocalFileSystem.Fs.class.getName());
      if (smallData) {
        conf.setIfMissing("spark.sql.codegen.wholeStage", "false");
        conf.setIfMissing("spark.sql.codegen.factoryMode", "NO_CODEGEN");
      }
    }
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
