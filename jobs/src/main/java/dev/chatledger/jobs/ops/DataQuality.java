package dev.chatledger.jobs.ops;

import static org.apache.spark.sql.functions.col;

import dev.chatledger.datasets.contract.Feed;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The night's data-quality gates, Deequ/dbt style: after each stage a few checks, each a number
 * held to two thresholds. Above {@code fail_above} the night fails (exit 3) before it publishes;
 * above {@code warn_above} it logs a warning. Every check of every run goes to ops.data_quality.
 */
public final class DataQuality {
  private static final Logger LOG = LoggerFactory.getLogger(DataQuality.class);

  public enum Level { ok, warning, error }

  /** One measured check. */
  public record Check(String stage, String name, String subject, double value, Double warnAbove, Double failAbove) {
    public Level level() {
      if (failAbove != null && value > failAbove) {
        return Level.error;
      }
      return warnAbove != null && value > warnAbove ? Level.warning : Level.ok;
    }

    @Override
    public String toString() {
      return name + "(" + subject + ") = " + value + (level() == Level.error ? " > " + failAbove
          : level() == Level.warning ? " > " + warnAbove : "");
    }
  }

  /** A night that failed a gate: nothing was published. */
  public static final class GateFailed extends RuntimeException {
    public GateFailed(String message) {
      super(message);
    }
  }

  /**
   * Thresholds per check name: the defaults below, overridden by a properties file with
   * {@code <check>.warn_above} and {@code <check>.fail_above} keys ("none" turns one off).
   */
  public static final class Thresholds {
    private final Map<String, Double[]> byCheck = new LinkedHashMap<>();

    public static Thresholds defaults() {
      Thresholds t = new Thresholds();
      t.set("rejected_share", 0.01, 0.05);              // share of a feed's lines rejected
      t.set("feed_empty", null, 0.0);                   // 1 when a feed is empty that was not the night before
      t.set("silver_duplicate_keys", null, 0.0);        // rows sharing a key among the night's silver keys
      t.set("revenue_difference", null, 0.0);           // |gold revenue - sum of billable prices|, USD
      t.set("unrated_share", 0.0, null);                // billable messages without a rate card row
      t.set("orphan_status_share", 0.05, null);         // statuses of unknown messages / outbound messages
      t.set("reconciliation_mismatch_share", 0.25, null); // messages not matching billing
      return t;
    }

    public static Thresholds load(Path file) {
      Thresholds t = defaults();
      if (file == null) {
        return t;
      }
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read quality thresholds " + file + ": " + e.getMessage(), e);
      }
      for (String key : p.stringPropertyNames()) {
        int dot = key.lastIndexOf('.');
        String check = dot < 0 ? key : key.substring(0, dot);
        String bound = dot < 0 ? "" : key.substring(dot + 1);
        if (!t.byCheck.containsKey(check) || !(bound.equals("warn_above") || bound.equals("fail_above"))) {
          throw new IllegalArgumentException("unknown quality threshold '" + key + "' in " + file
              + "; known: <check>.warn_above / <check>.fail_above for " + t.byCheck.keySet());
        }
        String v = p.getProperty(key).trim();
        Double value;
        try {
          value = v.equalsIgnoreCase("none") ? null : Double.valueOf(v);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("quality threshold " + key + " must be a number or none, got '" + v + "'");
        }
        t.byCheck.get(check)[bound.equals("warn_above") ? 0 : 1] = value;
      }
      return t;
    }

    private void set(String check, Double warnAbove, Double failAbove) {
      byCheck.put(check, new Double[] {warnAbove, failAbove});
    }

    /** These thresholds with one check's replaced (null: never). */
    public Thresholds with(String check, Double warnAbove, Double failAbove) {
      if (!byCheck.containsKey(check)) {
        throw new IllegalArgumentException("unknown check " + check + "; known: " + byCheck.keySet());
      }
      Thresholds t = new Thresholds();
      byCheck.forEach((k, v) -> t.set(k, v[0], v[1]));
      t.set(check, warnAbove, failAbove);
      return t;
    }

    Check check(String stage, String name, String subject, double value) {
      Double[] b = byCheck.get(name);
      return new Check(stage, name, subject, value, b[0], b[1]);
    }
  }

  /** Below this many lines on a night, a feed's rejected share only warns. */
  static final long MIN_LINES_FOR_SHARE = 100;

  private final Thresholds thresholds;
  private final List<Check> pending = new ArrayList<>();
  private final List<Check> all = new ArrayList<>();

  public DataQuality(Thresholds thresholds) {
    this.thresholds = thresholds;
  }

  public List<Check> checks() {
    return List.copyOf(all);
  }

  /** After ingest: rejected share, empty feeds, duplicate keys among the night's silver rows. */
  public void afterIngest(Warehouse w, LocalDate night, Map<String, Long> counts, Map<String, Long> previousNight) {
    for (Feed feed : Feed.values()) {
      String f = feed.folder();
      long lines = counts.getOrDefault(f + ".lines", 0L);
      long rejected = counts.getOrDefault(f + ".rejected", 0L);
      Check share = thresholds.check("ingest", "rejected_share", f, lines == 0 ? 0 : (double) rejected / lines);
      if (lines < MIN_LINES_FOR_SHARE) { // a handful of late lines: one bad line is not 5% of a feed
        share = new Check(share.stage(), share.name(), share.subject(), share.value(), share.warnAbove(), null);
      }
      add(share);
      boolean wasNotEmpty = previousNight != null && previousNight.getOrDefault(f + ".lines", 0L) > 0;
      add(thresholds.check("ingest", "feed_empty", f, lines == 0 && wasNotEmpty ? 1 : 0));
      Table silver = Table.silver(feed);
      if (w.exists(silver)) {
        Dataset<Row> tonightRows = w.read(silver).where(col("dt").equalTo(Date.valueOf(night)));
        // the partitions deduplication compared tonight's rows with (NightlyJob)
        Dataset<Row> rows = w.read(silver).where(dev.chatledger.jobs.NightlyJob.sameEventDates(feed, tonightRows));
        Dataset<Row> tonight = tonightRows.select(col(feed.keyField()).as("tonight_key"));
        long withTheirKeys = rows.join(dev.chatledger.jobs.silver.NightKeys.joinable(tonight),
            col(feed.keyField()).equalTo(col("tonight_key")), "left_semi").count();
        add(thresholds.check("ingest", "silver_duplicate_keys", silver.qualifiedName(),
            withTheirKeys - tonight.distinct().count()));
      }
    }
  }

  /** After the derived tables: revenue adds up, rating coverage, orphans, reconciliation. */
  public void afterDerive(Warehouse w, Map<String, Long> counts) {
    afterDerive(w, counts, null);
  }

  /**
   * @param from the night's rating horizon: revenue is compared from that revenue date on (what
   *     the night re-derived); null for all
   */
  public void afterDerive(Warehouse w, Map<String, Long> counts, java.time.LocalDate from) {
    Dataset<Row> revenue = w.read(Table.GOLD_REVENUE_DAILY);
    Dataset<Row> rated = w.read(Table.SILVER_RATED_MESSAGES).where(col("billable"));
    if (from != null) {
      org.apache.spark.sql.Column since = org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(from));
      revenue = revenue.where(col("revenue_date").geq(since));
      rated = rated.where(col("revenue_date").geq(since));
    }
    BigDecimal gold = sum(revenue.agg(org.apache.spark.sql.functions.sum("revenue")).first());
    BigDecimal prices = sum(rated.agg(org.apache.spark.sql.functions.sum("price")).first());
    add(thresholds.check("derive", "revenue_difference", Table.GOLD_REVENUE_DAILY.qualifiedName(),
        gold.subtract(prices).abs().doubleValue()));
    long billable = counts.getOrDefault("rating.billable", 0L);
    long outbound = counts.getOrDefault("rating.outbound_messages", 0L);
    add(thresholds.check("derive", "unrated_share", Table.SILVER_RATED_MESSAGES.qualifiedName(),
        billable == 0 ? 0 : (double) counts.getOrDefault("rating.unrated", 0L) / billable));
    add(thresholds.check("derive", "orphan_status_share", Table.SILVER_STATUSES.qualifiedName(),
        outbound == 0 ? 0 : (double) counts.getOrDefault("rating.orphan_status", 0L) / outbound));
    long reconciled = counts.entrySet().stream().filter(e -> e.getKey().startsWith("reconciliation."))
        .mapToLong(Map.Entry::getValue).sum();
    add(thresholds.check("derive", "reconciliation_mismatch_share", Table.GOLD_BILLING_RECONCILIATION.qualifiedName(),
        reconciled == 0 ? 0 : (double) (reconciled - counts.getOrDefault("reconciliation.match", 0L)) / reconciled));
  }

  /**
   * Records the checks made since the last call in ops.data_quality, logs warnings, and fails the
   * night when one is an error.
   */
  public void enforce(Warehouse w, String runId, LocalDate night) {
    if (pending.isEmpty()) {
      return;
    }
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (Check c : pending) {
      rows.add(RowFactory.create(runId, Date.valueOf(night), c.stage(), c.name(), c.subject(), c.value(),
          c.warnAbove(), c.failAbove(), c.level().name(), now));
      if (c.level() == Level.warning) {
        LOG.warn("data quality warning {}: {}", night, c);
      }
    }
    w.append(Table.OPS_DATA_QUALITY, w.spark().createDataFrame(rows, Table.OPS_DATA_QUALITY.schema()));
    List<Check> errors = pending.stream().filter(c -> c.level() == Level.error).toList();
    LOG.info("data quality {} after {}: {} checks, {} warnings, {} errors", night, pending.get(0).stage(),
        pending.size(), pending.stream().filter(c -> c.level() == Level.warning).count(), errors.size());
    pending.clear();
    if (!errors.isEmpty()) {
      throw new GateFailed("night " + night + " failed its data-quality gate (nothing published): "
          + errors.stream().map(Check::toString).collect(Collectors.joining("; "))
          + ". Every check is in ops.data_quality; thresholds: --quality-thresholds FILE.");
    }
  }

  private void add(Check c) {
    pending.add(c);
    all.add(c);
  }

  private static BigDecimal sum(Row r) {
    return r.isNullAt(0) ? BigDecimal.ZERO : r.getDecimal(0);
  }
}
