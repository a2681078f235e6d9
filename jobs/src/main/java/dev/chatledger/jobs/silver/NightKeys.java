package dev.chatledger.jobs.silver;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The keys a night brings (event ids, consent pairs) as the small side of a join with history:
 * broadcast, so that the scan of history shuffles nothing and costs a read, while there are few
 * enough of them; beyond that a shuffle join, which any volume fits.
 */
public final class NightKeys {
  /** About 100 bytes a key in the hash table every executor builds: 2M keys are some 200 MB. */
  public static final long BROADCAST_MAX_ROWS = 2_000_000L;

  private NightKeys() {}

  /**
   * {@code keys} hinted for a broadcast join when they are at most {@link #BROADCAST_MAX_ROWS}
   * rows (repeated keys do a semi join no harm), else made distinct for a shuffle join.
   */
  public static Dataset<Row> joinable(Dataset<Row> keys) {
    return keys.count() <= BROADCAST_MAX_ROWS ? functions.broadcast(keys) : keys.distinct();
  }
}
