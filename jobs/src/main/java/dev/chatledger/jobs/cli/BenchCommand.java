package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.NightlyJob;
import dev.chatledger.jobs.bronze.LandedLines;
import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.ops.Maintenance;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {
      "Generates N days at M messages a day, runs every arrival night in order on a fresh warehouse and",
      "writes per-night and per-stage seconds, rows read and rows written to OUT/nights-<M>x<N>.csv and a",
      "markdown summary OUT/nights-<M>x<N>.md (night N against night 1, files per table, then after",
      "`maintain`). Prints progress per night. --resume goes on where a stopped bench left off: same",
      "--dir, --out and options; the nights already in the CSV are skipped (a long bench may span",
      "several sittings). OUT/nights-<M>x<N>-reads.csv breaks each night's rows read and task seconds down by the",
      "table written or line of code whose Spark jobs did the work: what grows with history shows there.",
      "To stop a long bench between two nights (not in the middle of one, which the resumed run would then",
      "derive in full), create DIR/" + BenchCommand.STOP_FILE + ": it stops before its next night and removes the file."
    })
public final class BenchCommand implements Callable<Integer> {
  /** Created in --dir, it stops the bench cleanly before its next night (and is removed). */
  static final String STOP_FILE = "STOP";

  /** In --dir: the options the landing zone was generated with ({@link #settings}). */
  static final String SETTINGS_FILE = "bench.properties";

  private static final String[] STAGES = {"ingest", "ops_rejected", "quality_ingest", "rating", "gold",
      "quality_derive", "publish", "total"};

  @Option(names = "--days", required = true, description = "event days to generate")
  int days;

  @Option(names = "--messages-per-day", required = true, description = "messages per day")
  long messagesPerDay;

  @Option(names = "--dir", defaultValue = "bench/work", description = "scratch folder, emptied first (default: ${DEFAULT-VALUE})")
  Path dir;

  @Option(names = "--out", defaultValue = "bench/results", description = "where results go (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--from", defaultValue = "2026-10-01", description = "first event date (default: ${DEFAULT-VALUE})")
  LocalDate from;

  @Option(names = "--nights", description = "run only the first K arrival nights (default: all, days + 4)")
  Integer nightsToRun;

  @Option(names = "--seed", defaultValue = "11", description = "generator seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--resume", description = "keep --dir and the CSV in --out, run the nights the CSV does not have yet")
  boolean resume;

  @Option(names = "--maintain-every", paramLabel = "K",
      description = "run `maintain` (OPTIMIZE, VACUUM retaining 0 h) after every K nights, outside the night timings")
  Integer maintainEvery;

  @Override
  public Integer call() throws Exception {
    if (maintainEvery != null && maintainEvery < 1) {
      throw new IllegalArgumentException("--maintain-every must be >= 1");
    }
    Path landing = dir.resolve("landing");
    String name = String.format(Locale.ROOT, "nights-%dx%d", messagesPerDay, days);
    Path csvFile = out.resolve(name + ".csv");
    Path settings = dir.resolve(SETTINGS_FILE);
    String these = settings(days, messagesPerDay, from, seed);
    List<String> done = new ArrayList<>();
    if (resume) {
      if (!Files.isRegularFile(settings) || !Files.isRegularFile(csvFile)) {
        throw new IllegalArgumentException(
            "--resume: no bench to resume in " + dir + " (" + settings.getFileName() + ") and " + csvFile);
      }
      if (!Files.readString(settings).equals(these)) {
        throw new IllegalArgumentException(
            "--resume: " + dir + " was generated with other options:\n" + Files.readString(settings));
      }
      done = completedNights(Files.readAllLines(csvFile));
      System.out.printf("bench: resuming in %s after %d nights%n", dir, done.size());
    } else {
      DemoCommand.deleteRecursively(dir);
      Instant g0 = Instant.now();
      GenerateCommand.generate(landing, from, days, messagesPerDay, seed);
      Files.writeString(settings, these);
      System.out.printf("bench: generated %d days x %,d messages in %.1f s%n", days, messagesPerDay,
          (Instant.now().toEpochMilli() - g0.toEpochMilli()) / 1000.0);
    }
    SparkSession spark = SparkSessions.getOrCreate("chatledger-bench");
    Warehouse w = Warehouse.open(spark, dir.resolve("warehouse").toString());
    NightlyJob job = new NightlyJob(w, landing.toString(), HmacKey.resolve(null, true))
        .withQualityThresholds(DemoCommand.demoThresholds());
    List<LocalDate> nights = LandedLines.arrivalDates(spark, landing.toString());
    if (nightsToRun != null && nightsToRun < nights.size()) {
      nights = nights.subList(0, nightsToRun);
    }
    Files.createDirectories(out);
    StringBuilder csv = new StringBuilder();
    if (resume) {
      Files.readAllLines(csvFile).forEach(l -> csv.append(l).append('\n'));
    } else {
      csv.append("night,date");
      for (String s : STAGES) {
        csv.append(",seconds_").append(s);
      }
      csv.append(",landed_lines,rows_read,rerated_messages,rows_written,live_files,night_in_jvm\n");
    }
    RowsRead rowsRead = new RowsRead();
    spark.sparkContext().addSparkListener(rowsRead);
    Path sitesFile = out.resolve(name + "-reads.csv");
    StringBuilder sites = new StringBuilder();
    if (resume && Files.isRegularFile(sitesFile)) {
      Files.readAllLines(sitesFile).forEach(l -> sites.append(l).append('\n'));
    } else {
      sites.append("night,call_site,rows_read,task_seconds\n");
    }
    int inJvm = 0;
    for (int i = 0; i < nights.size(); i++) {
      LocalDate night = nights.get(i);
      if (done.contains(night.toString())) {
        continue;
      }
      if (Files.deleteIfExists(dir.resolve(STOP_FILE))) {
        // between two nights: every table is as the last night published it, so --resume goes on
        // with a regular night (a bench killed in a night leaves one the resumed run derives in full)
        System.out.printf("bench: stopped before night %d of %d (%s): %s was there; --resume with the same "
            + "options goes on from it%n", i + 1, nights.size(), night, dir.resolve(STOP_FILE));
        return ChatLedger.EXIT_OK;
      }
      inJvm++;
      Instant started = Instant.now();
      long read0 = rowsRead.total();
      rowsRead.takeBySite();
      NightlyJob.Result r = job.run(night);
      long read = rowsRead.total() - read0; // rows the night's tasks read: landed files and tables
      Map<String, Long> c = r.counts();
      long landed = sumEnding(c, ".lines");
      long written = rowsWritten(w, started);
      long files = liveFiles(w);
      csv.append(i + 1).append(',').append(night);
      for (String s : STAGES) {
        csv.append(String.format(Locale.ROOT, ",%.1f", c.getOrDefault("ms." + s, 0L) / 1000.0));
      }
      csv.append(',').append(landed).append(',').append(read).append(',')
          .append(c.getOrDefault("rating.outbound_messages", 0L)).append(',').append(written).append(',').append(files)
          .append(',').append(inJvm).append('\n');
      Files.writeString(csvFile, csv); // after every night: a long bench can be read as it goes, and resumed
      spark.sparkContext().listenerBus().waitUntilEmpty(); // the night's last stages counted
      int nightNo = i + 1;
      rowsRead.takeBySite().forEach((site, n) -> sites.append(nightNo).append(",\"").append(site.replace("\"", "'"))
          .append("\",").append(n[0]).append(String.format(Locale.ROOT, ",%.1f%n", n[1] / 1000.0)));
      Files.writeString(sitesFile, sites);
      System.out.printf("bench: night %d of %d (%s): %.1f s, %,d lines, %,d rows read, %,d messages re-rated, "
          + "%,d rows written, %,d live files%n", i + 1, nights.size(), night, c.getOrDefault("ms.total", 0L) / 1000.0,
          landed, read, c.getOrDefault("rating.outbound_messages", 0L), written, files);
      if (maintainEvery != null && (i + 1) % maintainEvery == 0 && i + 1 < nights.size()) {
        Instant m0 = Instant.now();
        Maintenance.run(w, true, true, 0);
        System.out.printf("bench: maintain after night %d: %.1f s, %,d live files%n", i + 1,
            (Instant.now().toEpochMilli() - m0.toEpochMilli()) / 1000.0, liveFiles(w));
      }
    }
    List<double[]> totals = new ArrayList<>(); // per night: seconds, landed lines, rows read
    List<String> lines = Files.readAllLines(csvFile);
    List<String> header = List.of(lines.get(0).split(","));
    for (String l : lines.subList(1, lines.size())) {
      String[] f = l.split(",");
      int jvm = header.indexOf("night_in_jvm");
      totals.add(new double[] {Double.parseDouble(f[header.indexOf("seconds_total")]),
          Double.parseDouble(f[header.indexOf("landed_lines")]), Double.parseDouble(f[header.indexOf("rows_read")]),
          jvm < 0 ? 0 : Double.parseDouble(f[jvm])});
    }
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "# Bench: %d days x %,d messages a day%n%n", days, messagesPerDay));
    md.append(String.format(Locale.ROOT, "Measured %s with `./chatledger bench --days %d --messages-per-day %d%s` "
        + "(seed %d) on this machine: %d cores, max heap %d MiB. Per night and stage: `%s.csv`.%n%n",
        LocalDate.now(), days, messagesPerDay, (nightsToRun == null ? "" : " --nights " + nightsToRun)
            + (maintainEvery == null ? "" : " --maintain-every " + maintainEvery), seed,
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, name));
    md.append("A night marked * is the first of its JVM (night 1, or the first after `--resume`): it also pays the "
        + "JVM's warm-up.\n\n| night | landed lines | rows read | seconds |\n|---:|---:|---:|---:|\n");
    for (int i = 0; i < totals.size(); i++) {
      md.append(String.format(Locale.ROOT, "| %d%s | %,d | %,d | %.1f |%n", i + 1, totals.get(i)[3] == 1 ? "*" : "",
          (long) totals.get(i)[1], (long) totals.get(i)[2], totals.get(i)[0]));
    }
    int lastFull = Math.min(days, totals.size()) - 1; // the last night with a full day's lines
    md.append(String.format(Locale.ROOT, "%nNight %d against night 1 (both full days): %.2fx.%n", lastFull + 1,
        totals.get(lastFull)[0] / totals.get(0)[0]));
    if (lastFull >= 5) {
      // from night 5 on a night brings late lines of the 3 days before it: the steady state
      double[] steady = totals.subList(4, lastFull + 1).stream().mapToDouble(t -> t[0]).sorted().toArray();
      md.append(String.format(Locale.ROOT, "Nights 5 to %d (the steady state: each brings late lines of the 3 days "
          + "before it): min %.1f s, median %.1f s, max %.1f s; night %d against night 5: %.2fx.%n", lastFull + 1,
          steady[0], steady[steady.length / 2], steady[steady.length - 1], lastFull + 1,
          totals.get(lastFull)[0] / totals.get(4)[0]));
    }
    md.append("\n| table | live files before maintain | after | on disk after |\n|---|---:|---:|---:|\n");
    Map<Table, Maintenance.TableFiles> m = Maintenance.run(w, true, true, 0);
    m.forEach((t, f) -> md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d |%n", t.qualifiedName(),
        f.liveBefore(), f.liveAfter(), f.onDiskAfter())));
    Files.writeString(out.resolve(name + ".md"), md);
    System.out.println("bench: results in " + out.resolve(name + ".csv") + " and " + out.resolve(name + ".md"));
    return ChatLedger.EXIT_OK;
  }

  /** What {@code --resume} holds a bench folder to: the options its landing zone was generated with. */
  static String settings(int days, long messagesPerDay, LocalDate from, long seed) {
    return String.format(Locale.ROOT, "days=%d%nmessages_per_day=%d%nfrom=%s%nseed=%d%n", days, messagesPerDay, from, seed);
  }

  /** The dates of the nights a bench's CSV already holds (its header aside). */
  static List<String> completedNights(List<String> csvLines) {
    List<String> dates = new ArrayList<>();
    for (String l : csvLines.subList(Math.min(1, csvLines.size()), csvLines.size())) {
      String[] f = l.split(",");
      if (f.length > 1 && !f[1].isBlank()) {
        dates.add(f[1]);
      }
    }
    return dates;
  }

  private static long liveFiles(Warehouse w) {
    long files = 0;
    for (Table t : Table.values()) {
      if (w.exists(t)) {
        files += Maintenance.liveFiles(w, t);
      }
    }
    return files;
  }

  /**
   * Records read by every task (files, Delta tables, shuffles aside), summed as tasks end, and per
   * call site (the stage's name: the line of chatledger's code that ran the job), so that a read
   * that grows with history shows where it comes from.
   */
  static final class RowsRead extends org.apache.spark.scheduler.SparkListener {
    private final java.util.concurrent.atomic.AtomicLong rows = new java.util.concurrent.atomic.AtomicLong();
    private final Map<String, long[]> bySite = new java.util.concurrent.ConcurrentHashMap<>();
    // a query's stages run on Spark's own threads (adaptive execution): their call site is the
    // query's, as its start event gives it
    private final Map<Long, String> queries = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Integer, String> stages = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onOtherEvent(org.apache.spark.scheduler.SparkListenerEvent event) {
      if (event instanceof org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart q) {
        long root = q.rootExecutionId().isDefined() ? (Long) q.rootExecutionId().get() : q.executionId();
        queries.put(q.executionId(), queries.getOrDefault(root, q.description()));
      }
    }

    @Override
    public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
      String id = job.properties() == null ? null : job.properties().getProperty("spark.sql.execution.id");
      String site = id == null ? null : queries.get(Long.parseLong(id));
      if (site != null) {
        for (Object stage : scala.jdk.javaapi.CollectionConverters.asJava(job.stageIds())) {
          stages.put((Integer) stage, site);
        }
      }
    }

    @Override
    public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
      if (end.taskMetrics() != null) {
        rows.addAndGet(end.taskMetrics().inputMetrics().recordsRead());
      }
    }

    @Override
    public void onStageCompleted(org.apache.spark.scheduler.SparkListenerStageCompleted done) {
      org.apache.spark.scheduler.StageInfo s = done.stageInfo();
      if (s.taskMetrics() == null) {
        return;
      }
      long read = s.taskMetrics().inputMetrics().recordsRead();
      long taskMs = s.taskMetrics().executorRunTime();
      String site = stages.remove(s.stageId());
      bySite.merge(site == null ? s.name() : site, new long[] {read, taskMs},
          (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
    }

    long total() {
      return rows.get();
    }

    /**
     * Per call site since the last call: rows read and the seconds its tasks ran (summed over
     * the cores); starts counting afresh.
     */
    synchronized Map<String, long[]> takeBySite() {
      Map<String, long[]> taken = new java.util.TreeMap<>();
      for (String site : List.copyOf(bySite.keySet())) {
        long[] n = bySite.remove(site);
        if (n != null) {
          taken.put(site, n);
        }
      }
      return taken;
    }
  }

  private static long sumEnding(Map<String, Long> counts, String suffix) {
    return counts.entrySet().stream().filter(e -> e.getKey().endsWith(suffix) && !e.getKey().startsWith("reference/"))
        .mapToLong(Map.Entry::getValue).sum();
  }

  /** Rows written by the night: numOutputRows of every table's commits since it started. */
  private static long rowsWritten(Warehouse w, Instant since) {
    long rows = 0;
    for (Table t : Table.values()) {
      if (!w.exists(t)) {
        continue;
      }
      for (Row h : DeltaTable.forPath(w.spark(), w.path(t)).history(20)
          .where(org.apache.spark.sql.functions.col("timestamp").geq(Timestamp.from(since))).collectAsList()) {
        Map<String, String> metrics = h.getJavaMap(h.fieldIndex("operationMetrics"));
        if (metrics != null && metrics.containsKey("numOutputRows")) {
          rows += Long.parseLong(metrics.get("numOutputRows"));
        }
      }
    }
    return rows;
  }
}
