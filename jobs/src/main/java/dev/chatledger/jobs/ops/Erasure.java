package dev.chatledger.jobs.ops;

import static org.apache.spark.sql.functions.col;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import dev.chatledger.datasets.contract.UserIdentity;
import dev.chatledger.jobs.NightlyJob;
import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.silver.Pseudonymization;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.codec.digest.DigestUtils;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Erases one user on request: records the request (a hash of the user's key, nothing else) so
 * that nights drop the user's lines from then on, deletes the user's rows from every table that
 * holds a user key, recomputes the derived tables from the cleaned silver and publishes them, then
 * vacuums every table with no retention so no file still holding the user remains.
 */
public final class Erasure {
  private static final Logger LOG = LoggerFactory.getLogger(Erasure.class);

  public record Result(String requestId, Map<String, Long> rowsRemoved) {}

  private Erasure() {}

  /** The user_key of a phone number: normalized to E.164 first, as landed lines must be. */
  public static String keyOfPhone(String phone, HmacKey key) {
    String e164;
    try {
      PhoneNumberUtil util = PhoneNumberUtil.getInstance();
      e164 = util.format(util.parse(phone, "ZZ"), PhoneNumberUtil.PhoneNumberFormat.E164);
    } catch (NumberParseException e) {
      throw new IllegalArgumentException("--user-phone is not a phone number in international form (+CC...): "
          + e.getMessage());
    }
    if (UserIdentity.phoneRegion(e164) == null) {
      throw new IllegalArgumentException("--user-phone is not a valid phone number");
    }
    return Pseudonymization.hmacHex(key.value(), e164);
  }

  public static String keyOfUserId(String userId, HmacKey key) {
    return Pseudonymization.hmacHex(key.value(), userId);
  }

  /** Tables holding a user key: the ones an erasure deletes from. */
  public static List<Table> tablesWithUsers() {
    return Arrays.stream(Table.values())
        .filter(t -> !t.isAuditLog() && Arrays.asList(t.schema().fieldNames()).contains("user_key")).toList();
  }

  public static Result erase(Warehouse w, String userKey) {
    Instant started = Instant.now();
    String requestId = RunRecord.newRunId("erase", started);
    Map<String, Long> counts = new LinkedHashMap<>();
    try {
      try (WriterLock lock = WriterLock.acquire(w, requestId)) {
        // the request first: should anything below fail, nights already keep the user out, and
        // running erase again finishes the job
        String keyHash = DigestUtils.sha256Hex(userKey);
        Row request = RowFactory.create(requestId, keyHash, Timestamp.from(started));
        w.append(Table.OPS_ERASURES, w.spark().createDataFrame(List.of(request), Table.OPS_ERASURES.schema()));
        for (Table t : tablesWithUsers()) {
          if (w.exists(t)) {
            // by the key's hash: Delta writes a DELETE's predicate into its log, which must not hold the key
            DeltaTable.forPath(w.spark(), w.path(t)).delete(functions.sha2(col("user_key"), 256).equalTo(keyHash));
            Row last = DeltaTable.forPath(w.spark(), w.path(t)).history(1).first();
            Map<String, String> metrics = last.getJavaMap(last.fieldIndex("operationMetrics"));
            long removed = "DELETE".equals(last.getAs("operation")) && metrics != null
                ? Long.parseLong(metrics.getOrDefault("numDeletedRows", "0")) : 0;
            counts.put(t.qualifiedName() + ".rows_removed", removed);
            LOG.info("erase {}: {} rows removed from {}", requestId, removed, t.qualifiedName());
          }
        }
      }
      // aggregates (gold) hold no key, but counted the user: derive them again from the cleaned
      // silver, as of the latest night, and publish (a rebuild takes the lock itself)
      LocalDate latest = RunRecord.latestNight(w);
      if (latest != null) {
        NightlyJob.rebuilding(w).rebuild(latest);
      } else {
        try (WriterLock lock = WriterLock.acquire(w, requestId)) {
          w.publish(requestId, "");
        }
      }
      try (WriterLock lock = WriterLock.acquire(w, requestId)) {
        // no retention: the files that held the user go now, with the time travel to them
        w.spark().conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
        for (Table t : Table.values()) {
          if (w.exists(t) && !t.isAuditLog()) {
            w.spark().sql("VACUUM delta.`" + w.path(t) + "` RETAIN 0 HOURS");
          }
        }
        // VACUUM commits too: publish its versions, or the next night would derive every date
        w.publish(requestId, "");
        RunRecord.write(w, requestId, "erase", "", started, "succeeded", counts, null);
      }
      return new Result(requestId, counts);
    } catch (WriterLock.Busy e) {
      throw e;
    } catch (RuntimeException e) {
      throw RunRecord.failed(w, requestId, "erase", "", started, counts, e);
    }
  }

}
