package dev.chatledger.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import dev.chatledger.datasets.contract.Feed;
import dev.chatledger.datasets.contract.UserIdentity;
import dev.chatledger.jobs.bronze.LandedLines;
import dev.chatledger.jobs.bronze.LineParser;
import dev.chatledger.jobs.bronze.ReferenceFiles;
import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.ops.DataQuality;
import dev.chatledger.jobs.ops.RunRecord;
import dev.chatledger.jobs.ops.WriterLock;
import dev.chatledger.jobs.silver.Deduplication;
import dev.chatledger.jobs.silver.NightKeys;
import dev.chatledger.jobs.silver.Pseudonymization;
import dev.chatledger.jobs.silver.consent.ConsentState;
import dev.chatledger.jobs.silver.rating.MessageRating;
import dev.chatledger.jobs.silver.rating.MonthToDate;
import dev.chatledger.jobs.silver.rating.ServiceQuota;
import dev.chatledger.jobs.silver.rating.ThresholdCrossings;
import dev.chatledger.jobs.silver.rating.Tiering;
import dev.chatledger.jobs.gold.BillingReconciliation;
import dev.chatledger.jobs.gold.BusinessUsageDaily;
import dev.chatledger.jobs.gold.GoldLayer;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One night: ingests every file that ARRIVED on the date (the four feeds and the reference files)
 * into bronze, rejects bad lines into {@code ops.rejected}, deduplicates into silver and records
 * the run in {@code ops.runs}. Re-running a date rewrites nothing that would come out the same.
 */
public final class NightlyJob {
  private static final Logger LOG = LoggerFactory.getLogger(NightlyJob.class);
  private static final UserDefinedFunction MASK_LINE = functions.udf(
      (org.apache.spark.sql.api.java.UDF1<String, String>) UserIdentity::maskLine, DataTypes.StringType);

  /** How many feed and reference stages run at once. */
  static final int CONCURRENT_STAGES = 4;

  /** What a night did. */
  public record Result(String runId, LocalDate date, Map<String, Long> counts) {}

  private final Warehouse warehouse;
  /** Fault injection for tests: writing this table fails, after the tables written before it. */
  private volatile Table failWhenWriting;
  private final String landing;
  private final HmacKey key;
  private DataQuality.Thresholds thresholds = DataQuality.Thresholds.defaults();

  public NightlyJob(Warehouse warehouse, String landing, HmacKey key) {
    this.warehouse = warehouse;
    this.landing = landing.endsWith("/") ? landing.substring(0, landing.length() - 1) : landing;
    this.key = key;
  }

  /** Holds the night's data-quality checks to these thresholds instead of the defaults. */
  public NightlyJob withQualityThresholds(DataQuality.Thresholds thresholds) {
    this.thresholds = thresholds;
    return this;
  }

  /** Makes the write of {@code table} fail: the all-or-nothing test stops a night half-way. */
  void failWhenWriting(Table table) {
    this.failWhenWriting = table;
  }

  /** A job that only derives from silver ({@link #rebuild}): it reads no landing zone and needs no key. */
  public static NightlyJob rebuilding(Warehouse warehouse) {
    return new NightlyJob(warehouse, "", null);
  }

  public Result run(LocalDate date) {
    if (key == null) {
      throw new IllegalStateException("this job was made for rebuild only: it has no HMAC key");
    }
    Instant started = Instant.now();
    String runId = RunRecord.newRunId("nightly", started);
    try (WriterLock lock = WriterLock.acquire(warehouse, runId)) {
      return runLocked(date, started, runId);
    }
  }

  private Result runLocked(LocalDate date, Instant started, String runId) {
    Map<String, Long> counts = new LinkedHashMap<>();
    LOG.info("nightly {} run {}: landing {}, warehouse {}, key from {}", date, runId, landing,
        warehouse.root(), key.origin());
    List<Dataset<Row>> rejected = new ArrayList<>();
    // The feeds are independent tables: ingest them concurrently. On a small night the time goes
    // to driver-side latency (planning, Delta commits), which overlaps well; on a big one Spark's
    // scheduler shares the cores between the jobs.
    try {
      List<Callable<Dataset<Row>>> stages = new ArrayList<>();
      List<Map<String, Long>> stageCounts = new ArrayList<>();
      for (Feed feed : Feed.values()) {
        Map<String, Long> c = new LinkedHashMap<>();
        stageCounts.add(c);
        stages.add(() -> ingestFeed(feed, date, runId, c));
      }
      for (ReferenceFiles ref : ReferenceFiles.values()) {
        Map<String, Long> c = new LinkedHashMap<>();
        stageCounts.add(c);
        stages.add(() -> ingestReference(ref, date, runId, c));
      }
      rejected.addAll(concurrently(stages));
      stageCounts.forEach(counts::putAll);
      counts.put("ms.ingest", millis(started));
      // one write for the night's rejected lines of every feed (they are few, and cached); before
      // the gate, so that a night failed for its rejects keeps them
      Instant t0 = Instant.now();
      Dataset<Row> allRejected = rejected.stream().reduce(Dataset::unionByName)
          .orElseThrow();
      warehouse.replace(Table.OPS_REJECTED, "dt = DATE'" + date + "'", allRejected);
      LOG.info("stage ops.rejected {}: {} lines in {} s", date,
          counts.entrySet().stream().filter(e -> e.getKey().endsWith(".rejected")).mapToLong(Map.Entry::getValue).sum(),
          seconds(t0));
      counts.put("ms.ops_rejected", millis(t0));
      Instant q0 = Instant.now();
      DataQuality quality = new DataQuality(thresholds);
      quality.afterIngest(warehouse, date, counts, RunRecord.previousNightCounts(warehouse, date));
      quality.enforce(warehouse, runId, date);
      counts.put("ms.quality_ingest", millis(q0));
      // what the last good night published (ingest publishes nothing): read once for the night
      Map<String, Long> published = warehouse.latestPublication();
      NightHorizon horizon = NightScope.of(warehouse, date, published);
      derive(date, counts, horizon, published);
      Instant q1 = Instant.now();
      quality.afterDerive(warehouse, counts, horizon.rating());
      quality.enforce(warehouse, runId, date);
      counts.put("ms.quality_derive", millis(q1));
      // the one step that makes the night visible: every table at once, or none (see Warehouse)
      Instant p0 = Instant.now();
      warehouse.publish(runId, date.toString());
      counts.put("ms.publish", millis(p0));
      counts.put("ms.total", millis(started));
      RunRecord.write(warehouse, runId, "nightly", date.toString(), started, "succeeded", counts, null);
      LOG.info("nightly {} done in {} s: {}", date, seconds(started), counts);
      return new Result(runId, date, counts);
    } catch (RuntimeException e) {
      throw RunRecord.failed(warehouse, runId, "nightly", date.toString(), started, counts, e);
    }
  }

  /**
   * Runs independent stages at once and returns their results in order; the first failure is
   * thrown with the others suppressed. On a small night the time goes to driver-side latency
   * (planning, Delta commits), which overlaps well; on a big one Spark's scheduler shares the
   * cores between the jobs.
   */
  private static <T> List<T> concurrently(List<Callable<T>> stages) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(CONCURRENT_STAGES, stages.size()));
    try {
      List<Future<T>> running = new ArrayList<>();
      for (Callable<T> stage : stages) {
        running.add(pool.submit(stage));
      }
      List<T> results = new ArrayList<>();
      RuntimeException failure = null;
      for (Future<T> f : running) {
        try {
          results.add(f.get());
        } catch (ExecutionException e) {
          RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
              : new IllegalStateException(e.getCause());
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
      }
      if (failure != null) {
        throw failure;
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Ingests one feed's night into bronze and silver; returns its rejected rows, cached. */
  private Dataset<Row> ingestFeed(Feed feed, LocalDate date, String runId, Map<String, Long> counts) {
    Instant t0 = Instant.now();
    SparkSession spark = warehouse.spark();
    String dtFilter = "dt = DATE'" + date + "'";
    List<String> files = LandedLines.files(spark, landing, feed.folder(), date);
    if (files.isEmpty()) {
      LOG.warn("{} {}: no files landed in {}/{}/dt={}", feed.folder(), date, landing, feed.folder(), date);
    }
    Dataset<Row> night = Pseudonymization
        .pseudonymize(withUsers(feed, LineParser.parse(LandedLines.read(spark, files, date), feed)), key.value())
        .withColumn("run_id", lit(runId))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Map<String, Long> reasons = new LinkedHashMap<>();
      long lines = 0;
      for (Row r : night.groupBy(LineParser.REASON).count().collectAsList()) { // a few rows: one per reason
        lines += r.getLong(1);
        if (!r.isNullAt(0)) {
          reasons.put(r.getString(0), r.getLong(1));
        }
      }
      Dataset<Row> valid = night.where(col(LineParser.REASON).isNull())
          .withColumn(eventDateColumn(feed), to_date(col(feed.eventTimeField())));
      long erasedLines = 0;
      if (feed.hasUserIdentity() && warehouse.exists(Table.OPS_ERASURES)) {
        // erased users never come back, even from a replayed file: dropped before bronze, counted
        Dataset<Row> erased = functions.broadcast(warehouse.read(Table.OPS_ERASURES).select("user_key_sha256").distinct());
        Column theirs = functions.sha2(valid.col("user_key"), 256).equalTo(erased.col("user_key_sha256"));
        erasedLines = valid.join(erased, theirs, "left_semi").count();
        valid = valid.join(erased, theirs, "left_anti");
      }
      warehouse.replace(Table.bronze(feed), dtFilter, valid);

      // a redelivery repeats its payload, event time included: the copies that won on earlier
      // nights are looked for in the silver partitions around tonight's event dates only
      Dataset<Row> earlier = warehouse.read(Table.silver(feed))
          .where(sameEventDates(feed, valid))
          .where("dt < DATE'" + date + "'");
      Dataset<Row> classified = Deduplication.classify(valid, earlier, feed.keyField())
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        // everything that needs the classification is taken from it before silver is written:
        // the write drops caches of plans that read silver (the earlier copies), classified's too
        Dataset<Row> rejected = rejectedRows(feed.folder(), night.where(col(LineParser.REASON).isNotNull()))
            .unionByName(rejectedRows(feed.folder(), classified
                .where(col(Deduplication.OUTCOME).equalTo(Deduplication.CONFLICT))
                .withColumn(LineParser.REASON, lit(Deduplication.CONFLICT))))
            // materialized and cut from its lineage: the night's caches are dropped next, and a
            // cache built on them would otherwise be recomputed from the landed files
            .localCheckpoint();
        Map<String, Long> outcomes = new LinkedHashMap<>();
        for (Row r : classified.groupBy(Deduplication.OUTCOME).count().collectAsList()) { // <= 3 rows
          outcomes.put(r.getString(0), r.getLong(1));
        }
        warehouse.replace(Table.silver(feed), dtFilter,
            classified.where(col(Deduplication.OUTCOME).equalTo(Deduplication.FIRST)));
        long conflicts = outcomes.getOrDefault(Deduplication.CONFLICT, 0L);
        long rejectedTotal = reasons.values().stream().mapToLong(Long::longValue).sum() + conflicts;
        if (conflicts > 0) {
          reasons.put(Deduplication.CONFLICT, conflicts);
        }
        String p = feed.folder() + ".";
        counts.put(p + "files", (long) files.size());
        counts.put(p + "lines", lines);
        counts.put(p + "silver_rows", outcomes.getOrDefault(Deduplication.FIRST, 0L));
        counts.put(p + "redeliveries", outcomes.getOrDefault(Deduplication.REDELIVERY, 0L));
        if (feed.hasUserIdentity()) {
          counts.put(p + "erased", erasedLines);
        }
        counts.put(p + "rejected", rejectedTotal);
        reasons.forEach((reason, n) -> counts.put(p + "rejected." + reason, n));
        LOG.info("stage {} {}: {} files, {} lines -> {} silver rows, {} redeliveries, {} rejected {} in {} s",
            feed.folder(), date, files.size(), lines, counts.get(p + "silver_rows"),
            counts.get(p + "redeliveries"), rejectedTotal, reasons, seconds(t0));
        return rejected;
      } finally {
        classified.unpersist();
      }
    } finally {
      night.unpersist();
    }
  }

  /** Reference snapshots: every night re-reads them; unchanged content is not rewritten. */
  private Dataset<Row> ingestReference(ReferenceFiles ref, LocalDate date, String runId, Map<String, Long> counts) {
    Instant t0 = Instant.now();
    SparkSession spark = warehouse.spark();
    List<String> files = referenceFile(ref);
    String feedName = ref.feedName();
    if (files.isEmpty()) {
      LOG.warn("reference {}: not found under {}/reference; keeping the current table", ref.fileName(), landing);
      return spark.createDataFrame(List.of(), Table.OPS_REJECTED.schema());
    }
    Dataset<Row> parsed = ref.parse(LandedLines.read(spark, files, date)).withColumn("run_id", lit(runId))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> valid = parsed.where(col(LineParser.REASON).isNull());
      long rows = valid.count();
      if (rows > 0) {
        warehouse.replaceAll(ref.table(), valid);
      } else {
        LOG.warn("reference {}: no usable rows; keeping the current table", ref.fileName());
      }
      Dataset<Row> rejected = rejectedRows(feedName, parsed.where(col(LineParser.REASON).isNotNull()))
          .localCheckpoint();
      long rejectedCount = rejected.count();
      counts.put(feedName + ".rows", rows);
      counts.put(feedName + ".rejected", rejectedCount);
      LOG.info("stage {} {}: {} rows, {} rejected in {} s", feedName, date, rows, rejectedCount, seconds(t0));
      return rejected;
    } finally {
      parsed.unpersist();
    }
  }

  private List<String> referenceFile(ReferenceFiles ref) {
    String path = landing + "/reference/" + ref.fileName();
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
      org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(warehouse.spark().sparkContext().hadoopConfiguration());
      return fs.exists(p) ? List.of(fs.makeQualified(p).toString()) : List.of();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Recomputes the derived tables of the night from silver, without ingesting: after a code or
   * reference upgrade, or to time the derived stages alone. Recorded in {@code ops.runs}.
   */
  public Result rebuild(LocalDate date) {
    Instant started = Instant.now();
    String runId = RunRecord.newRunId("rebuild", started);
    Map<String, Long> counts = new LinkedHashMap<>();
    try (WriterLock lock = WriterLock.acquire(warehouse, runId)) {
      derive(date, counts, NightHorizon.FULL, warehouse.latestPublication());
      DataQuality quality = new DataQuality(thresholds);
      quality.afterDerive(warehouse, counts, null);
      quality.enforce(warehouse, runId, date);
      warehouse.publish(runId, date.toString());
      RunRecord.write(warehouse, runId, "rebuild", date.toString(), started, "succeeded", counts, null);
      LOG.info("rebuild {} done in {} s: {}", date, seconds(started), counts);
      return new Result(runId, date, counts);
    } catch (WriterLock.Busy e) {
      throw e; // not our warehouse to record in
    } catch (RuntimeException e) {
      throw RunRecord.failed(warehouse, runId, "rebuild", date.toString(), started, counts, e);
    }
  }

  /**
   * Rates the outbound messages and derives revenue, reconciliation, consent and usage from
   * silver, for the dates the night can change ({@link NightHorizon}; every date after a rules
   * or reference change): a late inbound message, status, consent or billing line re-derives
   * what it affects (windows, tier order, the rest of its local month, the opt-in base from the
   * day it changes), and one night at a time equals one run over all.
   */
  private void derive(LocalDate date, Map<String, Long> counts, NightHorizon h, Map<String, Long> published) {
    Instant t0 = Instant.now();
    Dataset<Row> messages = warehouse.read(Table.SILVER_MESSAGES);
    Dataset<Row> statuses = warehouse.read(Table.SILVER_STATUSES);
    Dataset<Row> businesses = warehouse.read(Table.SILVER_BUSINESSES);
    Dataset<Row> markets = warehouse.read(Table.SILVER_MARKETS);
    Dataset<Row> rateCard = warehouse.read(Table.SILVER_RATE_CARD);
    Dataset<Row> rated;
    Dataset<Row> ratedRows; // what silver.rated_messages holds from h.ratedFrom() on
    if (h.isFull()) {
      rated = MessageRating.rate(messages, statuses, businesses, markets, rateCard);
      ratedRows = rated;
    } else {
      Dataset<Row> before = warehouse.read(Table.SILVER_RATED_MESSAGES);
      Column sinceContext = functions.lit(java.sql.Date.valueOf(h.ratedFrom().minusDays(MessageRating.CONTEXT_DAYS)));
      Dataset<Row> carried = NightScope.carriedOver(before, h.rating()).select("message_id")
          .localCheckpoint(); // read once: the rewrite below replaces the files it comes from
      Column notRerated = col("sent_date").lt(functions.lit(java.sql.Date.valueOf(h.rating())));
      // the month-to-date counters: messages delivered before the horizon, in its months or later
      Dataset<Row> settled = before.where(notRerated
          .and(col("delivered_at").lt(functions.lit(java.sql.Timestamp.valueOf(h.rating().atStartOfDay()))))
          .and(col("local_month").geq(functions.lit(h.rating().minusDays(1).toString().substring(0, 7)))));
      // the counters are cut from the table they are read from too: otherwise writing it below
      // would drop the write's cached rating (Spark re-caches by path) and rate it again
      Dataset<Row> monthToDate = MonthToDate.counters(settled).localCheckpoint();
      Dataset<Row> tierOffsets = Tiering.offsets(monthToDate);
      Dataset<Row> quotaOffsets = ServiceQuota.offsets(monthToDate);
      Dataset<Row> stored = before.where(col("sent_date").geq(functions.lit(java.sql.Date.valueOf(h.rating()))))
          .unionByName(NightScope.carriedOver(before, h.rating()));
      Column tonight = col("dt").equalTo(functions.lit(java.sql.Date.valueOf(date))); // the night's arrivals
      Dataset<Row> arrivals = messages.where(tonight.and(col("direction").equalTo("outbound"))).select("business_id", "phone_number_id", "type", "template_category");
      // the groups whose order tonight can move a price: only their stored rows are ordered again
      // (cut from the table like the counters)
      List<String> months = localMonths(h.rating().minusDays(1), date.plusDays(2));
      Dataset<Row> tierCrossings = ThresholdCrossings.tiers(stored, arrivals, tierOffsets, rateCard, months).localCheckpoint();
      Dataset<Row> quotaCrossings = ThresholdCrossings.quota(stored, arrivals, quotaOffsets, months).localCheckpoint();
      // tonight's receipts for messages that came before tonight: those of tonight's own messages
      // are rated with their conversations, so the stored rows meet only these (a few percent)
      Dataset<Row> olderReceipts = statuses.where(tonight).where(col("status").isin("delivered", "read"))
          .join(messages.where(tonight).select("message_id"), "message_id", "left_anti")
          .select("message_id", "status", "status_at").localCheckpoint();
      counts.put("rating.tier_groups_crossing", tierCrossings.count()); // checkpointed: no re-read
      counts.put("rating.phones_crossing_quota", quotaCrossings.count());
      LOG.info("rating {}: {} tier groups and {} phone numbers may cross a threshold: their stored rows are ordered again",
          date, counts.get("rating.tier_groups_crossing"), counts.get("rating.phones_crossing_quota"));
      rated = MessageRating.rate(messages.where(col("sent_date").geq(sinceContext)),
              // the receipts of the re-rated messages only: none is stamped before its message's
              // sending (a day of slack for clocks), and the context messages need none
              statuses.where(col("status_date").geq(functions.lit(java.sql.Date.valueOf(h.ratedFrom().minusDays(1))))),
              businesses, markets, rateCard,
              new MessageRating.Horizon(h.rating(), carried, tierOffsets, quotaOffsets,
                  // only the conversations tonight brought messages for are rated from silver; the
                  // other re-rated messages keep their stored windows and delivery (PriorRating)
                  messages.where(tonight).select("phone_number_id", "user_key").distinct(),
                  stored,
                  olderReceipts,
                  tierCrossings, quotaCrossings, months));
      // the dates carried messages come from keep their other messages as they are
      ratedRows = rated.unionByName(before.where(notRerated)
          .where(col("sent_date").geq(functions.lit(java.sql.Date.valueOf(h.ratedFrom()))))
          .join(carried, "message_id", "left_anti"), true);
    }
    Dataset<Row> reconciliation = null;
    try {
      // the rating runs once, in the write (a compared write caches the rows it compares and
      // writes), and the figures below are read back from the table (a second cache of 3.7M wide
      // rows cost a minute of CPU)
      long ratedDates = warehouse.replaceFrom(Table.SILVER_RATED_MESSAGES, ratedRows, h.ratedFrom(),
          !asPublished(h, published, List.of(Table.SILVER_MESSAGES, Table.SILVER_STATUSES)));
      counts.put("rating.sent_dates_rewritten", ratedDates);
      Dataset<Row> rerated = warehouse.read(Table.SILVER_RATED_MESSAGES);
      if (!h.isFull()) {
        // the re-rated rows: sent from the horizon on, or carried over (sent before, delivered after)
        Dataset<Row> carried = NightScope.carriedOver(rerated, h.rating()).select(col("message_id").as("_carried_id"));
        rerated = rerated.where(col("sent_date").geq(functions.lit(java.sql.Date.valueOf(h.ratedFrom()))))
            .join(functions.broadcast(carried), col("message_id").equalTo(col("_carried_id")), "left")
            .where(col("sent_date").geq(functions.lit(java.sql.Date.valueOf(h.rating()))).or(col("_carried_id").isNotNull()));
      }
      Row q = rerated.agg(functions.count(functions.lit(1)),
          functions.count(functions.when(col("is_unrated"), functions.lit(1))),
          functions.count(functions.when(col("billable"), functions.lit(1)))).first();
      counts.put("rating.outbound_messages", q.getLong(0));
      counts.put("rating.unrated", q.getLong(1));
      counts.put("rating.billable", q.getLong(2));
      long orphans = orphanStatuses(date, h, messages, statuses);
      counts.put("rating.orphan_status", orphans);
      LOG.info("stage rating {}: {} outbound messages re-rated (sent from {}), {} billable, {} unrated, {} orphan statuses in {} s",
          date, q.getLong(0), h.isFull() ? "the start" : h.rating(), q.getLong(2), q.getLong(1), orphans, seconds(t0));
      counts.put("ms.rating", millis(t0));
      Instant t1 = Instant.now();
      Dataset<Row> ratedTable = warehouse.read(Table.SILVER_RATED_MESSAGES); // as just written
      Dataset<Row> billing = warehouse.read(Table.SILVER_BILLING);
      if (h.isFull()) {
        reconciliation = BillingReconciliation.reconcile(ratedTable, billing);
      } else {
        // the messages and lines that can be dated on or after the horizon (NightScope)
        reconciliation = BillingReconciliation.since(ratedTable, billing, h.reconciliation(),
            NightScope.BILLING_LOOKBACK_DAYS);
      }
      reconciliation = reconciliation.persist(StorageLevel.MEMORY_AND_DISK());
      // each business's first message and template: from all messages when full (or not kept yet),
      // else kept up to date from the night's; cut from the table it is read from, rewritten next
      Dataset<Row> firsts = (h.isFull() || !warehouse.exists(Table.SILVER_BUSINESS_FIRSTS) ? BusinessUsageDaily.firsts(messages)
          : BusinessUsageDaily.firsts(warehouse.read(Table.SILVER_BUSINESS_FIRSTS),
              messages.where(col("dt").equalTo(functions.lit(java.sql.Date.valueOf(date)))))).localCheckpoint();
      warehouse.replaceAll(Table.SILVER_BUSINESS_FIRSTS, BusinessUsageDaily.firstsRows(firsts));
      Dataset<Row> consents = warehouse.read(Table.SILVER_CONSENTS);
      ConsentHistory consentHistory = consentHistory(date, h, consents);
      // a cohort's is_final is as of the latest night silver holds: running an older night again
      // (or rebuilding as of it) must not make a final cohort provisional again
      LocalDate latestNight = RunRecord.latestNight(warehouse);
      LocalDate asOf = latestNight != null && latestNight.isAfter(date) ? latestNight : date;
      Map<Table, Dataset<Row>> gold = GoldLayer.derive(new GoldLayer.Inputs(ratedTable, reconciliation, messages,
          consents, markets, businesses), date, asOf, h, new GoldLayer.Carried(firsts, consentHistory.events(),
          h.isFull() ? null : warehouse.read(Table.GOLD_CONSENT_VIOLATIONS),
          h.isFull() ? null : arrivedSincePublication(date, consents),
          h.isFull() ? null : warehouse.read(Table.GOLD_CONSENT_DAILY),
          h.isFull() ? null : warehouse.read(Table.GOLD_OPTIN_COHORTS)));
      boolean goldInputsPublished = asPublished(h, published, java.util.Arrays.stream(Table.values())
          .filter(t -> t.layer() == dev.chatledger.jobs.tables.Layer.SILVER).toList());
      List<Callable<Long>> writes = new ArrayList<>();
      gold.forEach((table, rows) -> writes.add(() -> {
        Instant w0 = Instant.now();
        if (table == failWhenWriting) {
          throw new IllegalStateException("injected failure writing " + table.qualifiedName());
        }
        long dates = warehouse.replaceFrom(table, rows, h.from(table), !goldInputsPublished);
        LOG.info("  {}: {} {} rewritten in {} s", table.qualifiedName(), dates, table.partitionBy().get(0),
            seconds(w0));
        return dates;
      }));
      List<Long> rewritten = concurrently(writes);
      int i = 0;
      for (Table table : gold.keySet()) {
        counts.put(table.qualifiedName() + ".dates_rewritten", rewritten.get(i++));
      }
      keepConsentState(consentHistory, counts);
      LOG.info("stage gold {}: {} tables derived in {} s", date, gold.size(), seconds(t1));
      counts.put("ms.gold", millis(t1));
      for (Row r : reconciliation.groupBy("outcome").count().collectAsList()) { // <= 6 rows
        counts.put("reconciliation." + r.getString(0), r.getLong(1));
      }
      adoptionCounts(date, counts);
    } finally {
      if (reconciliation != null) {
        reconciliation.unpersist();
      }
    }
  }

  /** The local months ({@code YYYY-MM}) of the dates from {@code from} to {@code to}. */
  static List<String> localMonths(LocalDate from, LocalDate to) {
    List<String> months = new ArrayList<>();
    for (LocalDate d = from.withDayOfMonth(1); !d.isAfter(to); d = d.plusMonths(1)) {
      months.add(d.toString().substring(0, 7));
    }
    return months;
  }

  /**
   * Whether {@code tables} are as published: on a full night, or on a re-run that brought nothing
   * new, a derived table is compared date by date before it is written, so that a re-run writes
   * nothing. After new silver rows, the dates from a derived table's horizon on change (a new
   * delivery moves the tier and quota positions of its month; new rows move the gold figures), so
   * they are written without that comparison, which would cache and hash them for nothing.
   */
  private boolean asPublished(NightHorizon h, Map<String, Long> published, List<Table> tables) {
    if (h.isFull()) {
      return true;
    }
    return published != null && tables.stream().allMatch(t -> !warehouse.exists(t) || warehouse.atVersion(t, published));
  }

  /**
   * The consent events that decide every pair's state from the night's consent horizon C on:
   * {@code silver.consent_state} (each pair's latest events before its {@code state_before} S,
   * {@link ConsentState#since}) and the events since S; or every event when S is after C (an
   * event older than the state arrived), the state is empty or missing, or the night is full.
   * Not materialized: gold reads only the pairs it re-evaluates from them (the night's consent
   * pairs, the pairs of the templates it re-checks), and the state table is rewritten only after
   * gold ({@link #keepConsentState}).
   *
   * <p>The state then moves to S' = max(S, min(C, night - {@value #CONSENT_STATE_DAYS} days)): it
   * never moves back, so re-running a night leaves it as it is, and it stays before the horizon
   * of the nights to come as long as their consent events are not older than that.
   */
  private ConsentHistory consentHistory(LocalDate date, NightHorizon h, Dataset<Row> consents) {
    LocalDate keep = date.minusDays(CONSENT_STATE_DAYS);
    LocalDate stateBefore = null;
    if (!h.isFull() && warehouse.exists(Table.SILVER_CONSENT_STATE)) {
      Row before = warehouse.read(Table.SILVER_CONSENT_STATE).agg(functions.min("state_before")).first(); // one row
      if (!before.isNullAt(0)) {
        stateBefore = before.getDate(0).toLocalDate();
      }
    }
    boolean fromState = stateBefore != null && !stateBefore.isAfter(h.consent());
    Dataset<Row> events = !fromState ? consents
        : warehouse.read(Table.SILVER_CONSENT_STATE).drop("state_before")
            .unionByName(consents.where(col("occurred_date").geq(functions.lit(java.sql.Date.valueOf(stateBefore)))));
    LocalDate next = h.isFull() ? keep : latest(stateBefore, earliestOf(h.consent(), keep));
    // unchanged when it moves no further and still sums up every event before it
    boolean unchanged = fromState && next.equals(stateBefore);
    return new ConsentHistory(events, next, fromState, unchanged);
  }

  /**
   * {@code events} decide every pair's state from the consent horizon on; {@code nextState} is the
   * date the state table sums up the events before after the night, {@code fromState} says that
   * the events start from a stored state, and {@code stateUnchanged} that the table already sums
   * up the events before {@code nextState}.
   */
  private record ConsentHistory(Dataset<Row> events, LocalDate nextState, boolean fromState, boolean stateUnchanged) {
    /** A stored state that moves to a later date: every row's {@code state_before} changes. */
    boolean stateMoves() {
      return fromState && !stateUnchanged;
    }
  }

  /**
   * Rewrites {@code silver.consent_state} as the events before its next date, each pair's latest
   * ({@link ConsentState#since}): read from the events of the dates it moves over (its state and
   * a day of events on most nights, none while history is younger than the state's days), and
   * not at all when it does not move; a stored state that moves is written without a comparison
   * first. After gold, which read the state as it was.
   */
  private void keepConsentState(ConsentHistory history, Map<String, Long> counts) {
    if (history.stateUnchanged()) {
      counts.put("consent_state.rewritten", 0L);
      return;
    }
    java.sql.Date next = java.sql.Date.valueOf(history.nextState());
    Dataset<Row> state = ConsentState.since(history.events().where(col("occurred_date").lt(functions.lit(next))),
        history.nextState()).withColumn("state_before", functions.lit(next));
    // a stored state moving on differs in every row: comparing first would derive it twice
    boolean written = warehouse.replaceAll(Table.SILVER_CONSENT_STATE, state, history.stateMoves());
    counts.put("consent_state.rewritten", written ? 1L : 0L);
  }

  /**
   * The night's consent events that the published tables do not reflect yet: its rows of
   * {@code silver.consents} less those the publication's version already held (all of them on a
   * first run of the night, none on a re-run). The consent tables change by these events only
   * ({@link dev.chatledger.jobs.gold.ConsentDaily#since}), so re-running a night changes nothing.
   * Materialized: the publication's version is read once.
   */
  private Dataset<Row> arrivedSincePublication(LocalDate date, Dataset<Row> consents) {
    Column tonight = col("dt").equalTo(functions.lit(java.sql.Date.valueOf(date)));
    Dataset<Row> published = warehouse.readPublished(Table.SILVER_CONSENTS);
    return consents.where(tonight)
        .join(published.where(tonight).select(col("event_id").as("_published_event")),
            col("event_id").equalTo(col("_published_event")), "left_anti")
        .localCheckpoint();
  }

  /**
   * How far back the consent state stays from the night: consent events that arrive up to this
   * many days after they happened (imported opt-ins, say) still find it before them.
   */
  static final int CONSENT_STATE_DAYS = 40;

  private static LocalDate earliestOf(LocalDate a, LocalDate b) {
    return a.isBefore(b) ? a : b;
  }

  private static LocalDate latest(LocalDate a, LocalDate b) {
    return a == null || b.isAfter(a) ? b : a;
  }

  /**
   * Statuses whose message has not arrived and that are older than 7 days (CONTRACT 7). A full
   * derivation counts them over all history; a night counts those that landed 7 days before it
   * (the cohort that turns 7 tonight), so the check costs the same every night.
   */
  private long orphanStatuses(LocalDate date, NightHorizon h, Dataset<Row> messages, Dataset<Row> statuses) {
    java.sql.Date weekAgo = java.sql.Date.valueOf(date.minusDays(7));
    if (h.isFull()) {
      return statuses.join(messages.select("message_id"), "message_id", "left_anti")
          .where(col("status_at").lt(functions.lit(java.sql.Timestamp.valueOf(date.minusDays(7).atStartOfDay()))))
          .count();
    }
    Dataset<Row> landed = statuses.where(col("dt").equalTo(functions.lit(weekAgo)))
        .where(col("status_date").geq(functions.lit(java.sql.Date.valueOf(date.minusDays(14)))));
    // the cohort's message ids broadcast into the scan of three weeks of messages: those weeks
    // are read, not shuffled; only the ids found are joined back to the cohort
    Dataset<Row> arrived = messages.where(col("sent_date").geq(functions.lit(java.sql.Date.valueOf(date.minusDays(21)))))
        .select("message_id")
        .join(NightKeys.joinable(landed.select(col("message_id").as("_status_message")).distinct()),
            col("message_id").equalTo(col("_status_message")), "left_semi");
    return landed.join(arrived, "message_id", "left_anti").count();
  }

  /** Data-quality figures of the consent tables (CONTRACT 4), read back from gold. */
  private void adoptionCounts(LocalDate date, Map<String, Long> counts) {
    Row c = warehouse.read(Table.GOLD_OPTIN_COHORTS)
        .agg(functions.coalesce(functions.sum("prompted"), functions.lit(0L)),
            functions.coalesce(functions.sum("opted_in"), functions.lit(0L))).first();
    long violationCount = warehouse.read(Table.GOLD_CONSENT_VIOLATIONS).count();
    counts.put("adoption.prompted", c.getLong(0));
    counts.put("adoption.opted_in", c.getLong(1));
    counts.put("adoption.consent_violations", violationCount);
    LOG.info("stage adoption {}: {} prompted, {} opted in within 7 days, {} consent violations",
        date, c.getLong(0), c.getLong(1), violationCount);
  }

  /** Feeds without a user get empty identity columns, so one pseudonymization step serves all. */
  private static Dataset<Row> withUsers(Feed feed, Dataset<Row> parsed) {
    if (feed.hasUserIdentity()) {
      return parsed;
    }
    Column none = lit(null).cast(DataTypes.StringType);
    return parsed.withColumn("user_phone", none).withColumn("user_id", none).withColumn("phone_region", none);
  }

  private static Dataset<Row> rejectedRows(String feedName, Dataset<Row> rows) {
    return rows.select(
        lit(feedName).as("feed"),
        col("dt"),
        col("source_file"),
        col("line_offset"),
        MASK_LINE.apply(col("line")).as("line"),
        col(LineParser.REASON).as("reason"),
        col("run_id"));
  }

  /**
   * How far from its first copy's event date a later copy's may lie and still be compared with
   * it: a conflicting copy that moves its event by more is a new record (README, decisions).
   */
  public static final int DUPLICATE_EVENT_DAYS = 7;

  /**
   * The silver partitions a feed's later copies of {@code rows} can be in: their event dates,
   * {@link #DUPLICATE_EVENT_DAYS} either side; a bounded span, whatever the length of history.
   */
  public static Column sameEventDates(Feed feed, Dataset<Row> rows) {
    String dateColumn = eventDateColumn(feed);
    Row span = rows.agg(functions.min(dateColumn), functions.max(dateColumn)).first();
    if (span.isNullAt(0)) {
      return lit(false);
    }
    return col(dateColumn).between(
        lit(java.sql.Date.valueOf(span.getDate(0).toLocalDate().minusDays(DUPLICATE_EVENT_DAYS))),
        lit(java.sql.Date.valueOf(span.getDate(1).toLocalDate().plusDays(DUPLICATE_EVENT_DAYS))));
  }

  public static String eventDateColumn(Feed feed) {
    return feed.eventTimeField().replace("_at", "_date");
  }

  private static long millis(Instant since) {
    return Instant.now().toEpochMilli() - since.toEpochMilli();
  }

  private static String seconds(Instant since) {
    return String.format("%.1f", (Instant.now().toEpochMilli() - since.toEpochMilli()) / 1000.0);
  }
}
