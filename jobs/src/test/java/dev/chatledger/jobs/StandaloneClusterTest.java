package dev.chatledger.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster path for real: a Spark standalone master and one worker on 127.0.0.1, started from
 * the project's classpath, run a night as `chatledger nightly -Dspark.master=spark://...` would;
 * every table equals the same night run in local mode. Everything started is stopped, and every
 * step is bounded in time.
 */
class StandaloneClusterTest extends SparkTestSupport {
  @TempDir Path dir;

  @Test
  void aNightOnAStandaloneClusterWritesTheTablesLocalModeWrites() throws Exception {
    Path landing = dir.resolve("landing");
    TinyLanding.twoNights(landing);
    Path sparkHome = sparkHomeWithTheProjectsJars(dir.resolve("spark-home"));
    // the master and worker log at INFO: the test waits for the worker's registration line
    Path log4j = Files.writeString(dir.resolve("log4j2-cluster.properties"), String.join("\n",
        "rootLogger.level = info", "rootLogger.appenderRef.stderr.ref = console", "appender.console.type = Console",
        "appender.console.name = console", "appender.console.target = SYSTEM_ERR",
        "appender.console.layout.type = PatternLayout", "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n", ""));
    String logging = "-Dlog4j2.configurationFile=" + log4j.toUri();
    int masterPort = ChildProcess.freePort();
    List<Process> started = new ArrayList<>();
    try {
      List<String> master = ChildProcess.chatledgerJvm("-Xmx512m", "org.apache.spark.deploy.master.Master",
          "--host", "127.0.0.1", "--port", Integer.toString(masterPort), "--webui-port", Integer.toString(ChildProcess.freePort()));
      master.add(1, logging);
      started.add(start(master, sparkHome, dir.resolve("master.log")));
      List<String> worker = ChildProcess.chatledgerJvm("-Xmx512m", "org.apache.spark.deploy.worker.Worker",
          "spark://127.0.0.1:" + masterPort, "--host", "127.0.0.1", "--cores", "2", "--memory", "2g",
          "--webui-port", Integer.toString(ChildProcess.freePort()), "--work-dir", dir.resolve("work").toString());
      worker.add(1, logging);
      started.add(start(worker, sparkHome, dir.resolve("worker.log")));
      awaitLine(dir.resolve("worker.log"), "Successfully registered with master", 120);

      Path clusterWarehouse = dir.resolve("cluster-warehouse");
      List<String> night = ChildProcess.chatledgerJvm("-Xmx1g", "dev.chatledger.jobs.cli.ChatLedger",
          "nightly", "--landing", landing.toString(), "--warehouse", clusterWarehouse.toString(),
          "--date", TinyLanding.FIRST_NIGHT, "--demo-key");
      night.addAll(1, List.of("-Dspark.master=spark://127.0.0.1:" + masterPort, "-Dspark.driver.host=127.0.0.1",
          "-Dspark.driver.bindAddress=127.0.0.1", "-Dspark.executor.memory=1g", "-Dspark.cores.max=2",
          // a cluster run keeps Spark's defaults (200 shuffle partitions...): sized here for a tiny night
          "-Dspark.sql.shuffle.partitions=2", "-Dspark.default.parallelism=2",
          "-Dspark.databricks.delta.snapshotPartitions=2", "-Dspark.ui.enabled=false"));
      // a bound against a hung cluster, not a speed target (bench has those): the whole test took
      // 142 s here on an ordinary day, and the night alone passed 300 s on a day the machine ran
      // at under half speed beside a bench
      ChildProcess.Result r = ChildProcess.run(night, Map.of("SPARK_HOME", sparkHome.toString(),
          "SPARK_SCALA_VERSION", "2.13"), 900);
      assertThat(r.exitCode()).as(r.output()).isZero();
      System.out.printf("standalone cluster: the night ran in %.1f s%n", r.millis() / 1000.0);
      assertThat(Files.readString(dir.resolve("worker.log"))).as("an executor ran on the worker")
          .contains("Asked to launch executor");

      Warehouse local = Warehouse.open(SPARK, dir.resolve("local-warehouse").toString());
      new NightlyJob(local, landing.toString(), HmacKey.resolve(null, true)).run(LocalDate.parse(TinyLanding.FIRST_NIGHT));
      Warehouse cluster = Warehouse.open(SPARK, clusterWarehouse.toString());
      int compared = 0;
      for (Table t : Table.values()) {
        if (t.isAuditLog() || !local.exists(t)) {
          continue;
        }
        assertThat(cluster.exists(t)).as(t.qualifiedName()).isTrue();
        assertThat(rows(cluster, t)).as(t.qualifiedName()).isEqualTo(rows(local, t));
        compared++;
      }
      assertThat(compared).isGreaterThanOrEqualTo(15);
    } finally {
      for (Process p : started) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  private static List<String> rows(Warehouse w, Table t) {
    Stream<String> drop = Stream.of("run_id", "source_file").filter(c -> List.of(t.schema().fieldNames()).contains(c));
    return w.read(t).drop(drop.toArray(String[]::new)).collectAsList().stream().map(Row::toString).sorted().toList();
  }

  private static Process start(List<String> command, Path sparkHome, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    return pb.start();
  }

  private static void awaitLine(Path log, String text, int seconds) throws Exception {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (System.currentTimeMillis() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no '" + text + "' in " + log + " after " + seconds + " s:\n" + Files.readString(log));
  }

  /**
   * What a worker needs to launch executors: a SPARK_HOME whose jars/ holds the classpath (links
   * to the jars; the build's class folders packed as jars).
   */
  private static Path sparkHomeWithTheProjectsJars(Path home) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    List<String> entries = new ArrayList<>(List.of(ChildProcess.MODULE.resolve("target/classes").toString()));
    entries.addAll(List.of(ChildProcess.read(ChildProcess.MODULE.resolve("target/classpath.txt")).split(File.pathSeparator)));
    Map<String, Integer> names = new HashMap<>();
    for (String entry : entries) {
      Path p = Path.of(entry);
      String name = p.getFileName().toString();
      int n = names.merge(name, 1, Integer::sum);
      if (Files.isDirectory(p)) {
        jar(p, jars.resolve("classes-" + p.getParent().getParent().getFileName() + "-" + n + ".jar"));
      } else {
        Files.createSymbolicLink(jars.resolve(n == 1 ? name : n + "-" + name), p);
      }
    }
    return home;
  }

  private static void jar(Path classes, Path target) throws IOException {
    try (OutputStream out = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(out);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
        Files.copy(f, jar);
        jar.closeEntry();
      }
    }
  }
}
