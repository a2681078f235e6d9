package dev.chatledger.jobs;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import dev.chatledger.jobs.gold.OptInCohorts;
import dev.chatledger.jobs.silver.NightKeys;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works out a night's {@link NightHorizon} from the silver rows it added (those of its arrival
 * date): what can have changed is bounded by the earliest event it brought. Reads only small
 * aggregates of silver and the rated messages (Delta's file statistics skip the rest).
 *
 * <p>Falls back to {@link NightHorizon#FULL} when the derived tables cannot be trusted as a base:
 * nothing published yet, a reference file changed (every rating may change), or the last run
 * did not succeed (it may have left silver rows no night has derived).
 */
final class NightScope {
  private static final Logger LOG = LoggerFactory.getLogger(NightScope.class);

  /** A night that brought no messages or statuses re-rates nothing: its rating horizon. */
  static final LocalDate NOTHING = LocalDate.of(9999, 12, 1);

  /**
   * A billing line is assumed to be billed within this many days of its message's delivery (or,
   * undelivered, of its sending): reconciliation re-reads this much billing before its horizon.
   */
  static final int BILLING_LOOKBACK_DAYS = 8;

  private NightScope() {}

  static NightHorizon of(Warehouse w, LocalDate night) {
    return of(w, night, w.latestPublication());
  }

  /** As {@link #of(Warehouse, LocalDate)}, with the latest publication already read. */
  static NightHorizon of(Warehouse w, LocalDate night, Map<String, Long> published) {
    String fullBecause = fullReason(w, published);
    if (fullBecause != null) {
      LOG.info("night {}: derives every date ({})", night, fullBecause);
      return NightHorizon.FULL;
    }
    Dataset<Row> newMessages = w.read(Table.SILVER_MESSAGES).where(tonight(night));
    Row m = newMessages.agg(
        min(org.apache.spark.sql.functions.when(col("direction").equalTo("outbound"), col("sent_date"))),
        min(org.apache.spark.sql.functions.when(col("direction").equalTo("inbound"), col("sent_date")))).first();
    LocalDate outbound = m.isNullAt(0) ? null : m.getDate(0).toLocalDate();
    LocalDate inbound = m.isNullAt(1) ? null : m.getDate(1).toLocalDate();
    LocalDate statuses = minDate(w, Table.SILVER_STATUSES, "status_date", night);
    LocalDate consents = minDate(w, Table.SILVER_CONSENTS, "occurred_date", night);
    LocalDate billing = minDate(w, Table.SILVER_BILLING, "billed_date", night);

    // an inbound message at t changes the windows from t on; an outbound one from t - 24h (the
    // referral it answers opens a window from then); a status, its own message's delivery
    LocalDate rating = earliest(outbound == null ? null : outbound.minusDays(1), inbound, statuses);
    Dataset<Row> rated = w.read(Table.SILVER_RATED_MESSAGES);
    if (rating == null) {
      rating = NOTHING;
    } else {
      // a delivery or read receipt of an older message re-rates from that message on
      Dataset<Row> receipts = w.read(Table.SILVER_STATUSES).where(tonight(night))
          .where(col("status").isin("delivered", "read")).select("message_id").distinct()
          .join(w.read(Table.SILVER_MESSAGES).where(col("sent_date").geq(lit(Date.valueOf(rating))))
              .select("message_id"), "message_id", "left_anti");
      LocalDate older = firstDate(rated.where(col("sent_date").lt(lit(Date.valueOf(rating))))
          .join(broadcast(receipts), "message_id", "left_semi").agg(min("sent_date")));
      rating = earliest(rating, older);
    }
    // messages sent before the horizon and delivered after it are re-rated too (tiers, quota)
    LocalDate ratedFrom = earliest(rating, firstDate(carriedOver(rated, rating).agg(min("sent_date"))));

    // a billing line re-reconciles its message wherever it is dated
    LocalDate reconciliation = rating;
    if (billing != null) {
      // read once: sized for the broadcast, then looked up in two tables
      Dataset<Row> lines = NightKeys.joinable(
          w.read(Table.SILVER_BILLING).where(tonight(night)).select("message_id").distinct().localCheckpoint());
      // its message's row is dated within the lookback before the line (delivered, or sent and
      // first billed, at most that long before): the older dates are not read
      LocalDate lookback = billing.minusDays(BILLING_LOOKBACK_DAYS);
      reconciliation = earliest(reconciliation, billing, firstDate(w.read(Table.GOLD_BILLING_RECONCILIATION)
          .where(col("date").geq(lit(Date.valueOf(lookback))))
          .join(lines, "message_id", "left_semi").agg(min("date"))));
      // a delivered message that had no row (it cost nothing and had no line yet, like CONTRACT 8's
      // m-2) gets one dated by its delivery, which can be before the line's date; older files are
      // skipped by their revenue_date statistics
      reconciliation = earliest(reconciliation, firstDate(w.read(Table.SILVER_RATED_MESSAGES)
          .where(col("revenue_date").geq(lit(Date.valueOf(lookback))))
          .join(lines, "message_id", "left_semi").agg(min("revenue_date"))));
    }
    if (rating != NOTHING) {
      // a line reconciled before its message arrived was dated by the line
      // (billed before its message was sent, by clocks apart: at most the lookback before it)
      reconciliation = earliest(reconciliation, firstDate(w.read(Table.GOLD_BILLING_RECONCILIATION)
          .where(col("revenue_date").isNull().and(col("date").lt(lit(Date.valueOf(rating))))
              .and(col("date").geq(lit(Date.valueOf(rating.minusDays(BILLING_LOOKBACK_DAYS))))))
          .join(w.read(Table.SILVER_MESSAGES).where(col("sent_date").geq(lit(Date.valueOf(rating))))
              .select("message_id"), "message_id", "left_semi").agg(min("date"))));
    }
    // cohorts: a prompt waits 7 days for its opt-in, and turns final 7 days after its date
    LocalDate finalTonight = night.minusDays(OptInCohorts.WINDOW_DAYS);
    LocalDate cohorts = earliest(finalTonight, consents == null ? null : consents.minusDays(OptInCohorts.WINDOW_DAYS));
    LocalDate consent = earliest(rating, consents);
    NightHorizon h = new NightHorizon(rating, ratedFrom, reconciliation, cohorts, consent);
    LOG.info("night {}: derives from {}", night, h);
    return h;
  }

  /** Rated messages sent before {@code from} and delivered on or after it. */
  static Dataset<Row> carriedOver(Dataset<Row> rated, LocalDate from) {
    return rated.where(col("sent_date").lt(lit(Date.valueOf(from)))
        .and(col("delivered_at").geq(lit(Timestamp.valueOf(from.atStartOfDay())))));
  }

  private static String fullReason(Warehouse w, Map<String, Long> published) {
    if (published == null) {
      return "nothing published yet";
    }
    for (Table t : List.of(Table.SILVER_MARKETS, Table.SILVER_RATE_CARD, Table.SILVER_BUSINESSES)) {
      if (w.exists(t) && !w.atVersion(t, published)) {
        return t.qualifiedName() + " changed";
      }
    }
    for (Table t : Table.values()) {
      boolean state = t == Table.SILVER_BUSINESS_FIRSTS || t == Table.SILVER_CONSENT_STATE;
      if (state && !w.exists(t) && !published.containsKey(t.qualifiedName())) {
        continue; // a warehouse from before the state tables: the night builds them from all history
      }
      if (t.layer() == dev.chatledger.jobs.tables.Layer.GOLD || t == Table.SILVER_RATED_MESSAGES || state) {
        if (!w.atVersion(t, published)) {
          return t.qualifiedName() + " is not as published";
        }
      }
    }
    if (w.exists(Table.OPS_RUNS)) {
      List<Row> last = w.read(Table.OPS_RUNS).orderBy(col("started_at").desc()).select("status").limit(1).collectAsList();
      if (!last.isEmpty() && !"succeeded".equals(last.get(0).getString(0))) {
        return "the last run did not succeed";
      }
    }
    return null;
  }

  private static org.apache.spark.sql.Column tonight(LocalDate night) {
    return col("dt").equalTo(lit(Date.valueOf(night)));
  }

  /** The earliest event date among the rows the night added to a silver table; null if none. */
  private static LocalDate minDate(Warehouse w, Table t, String dateColumn, LocalDate night) {
    return firstDate(w.read(t).where(tonight(night)).agg(min(dateColumn)));
  }

  private static LocalDate firstDate(Dataset<Row> oneDate) {
    Row r = oneDate.first();
    return r.isNullAt(0) ? null : r.getDate(0).toLocalDate();
  }

  private static LocalDate earliest(LocalDate... dates) {
    LocalDate e = null;
    for (LocalDate d : dates) {
      if (d != null && (e == null || d.isBefore(e))) {
        e = d;
      }
    }
    return e;
  }
}
