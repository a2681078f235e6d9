package dev.chatledger.jobs.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * At-least-once delivery, undone (CONTRACT 7): per feed key, the first copy ordered by (dt, file,
 * offset) wins; a later copy with the same payload is a redelivery and is dropped; a later copy
 * with a different payload is a {@code conflicting_duplicate}. One shuffle (the window).
 */
public final class Deduplication {
  public static final String OUTCOME = "copy_outcome";
  public static final String FIRST = "first";
  public static final String REDELIVERY = "redelivery";
  public static final String CONFLICT = "conflicting_duplicate";

  private Deduplication() {}

  /**
   * Classifies tonight's rows against each other and against the copies that already won on
   * earlier nights.
   *
   * @param incoming tonight's parsed rows: the key, dt, source_file, line_offset, payload_hash
   * @param earlierWinners silver rows of earlier arrival dates (at least the same columns)
   * @return {@code incoming} with {@link #OUTCOME}
   */
  public static Dataset<Row> classify(Dataset<Row> incoming, Dataset<Row> earlierWinners, String key) {
    Dataset<Row> earlier = earlierWinners
        .select(key, "dt", "source_file", "line_offset", "payload_hash")
        // tonight's keys broadcast into the scan of the earlier copies: history is read, not shuffled
        .join(NightKeys.joinable(incoming.select(key)), key, "left_semi")
        .withColumn("_incoming", lit(false));
    Dataset<Row> all = incoming.withColumn("_incoming", lit(true))
        .unionByName(earlier, true);
    WindowSpec byKey = Window.partitionBy(key).orderBy(col("dt"), col("source_file"), col("line_offset"));
    return all
        .withColumn("_rank", row_number().over(byKey))
        .withColumn("_first_hash", first(col("payload_hash")).over(byKey))
        .where(col("_incoming"))
        .withColumn(OUTCOME,
            when(col("_rank").equalTo(1), lit(FIRST))
                .when(col("payload_hash").equalTo(col("_first_hash")), lit(REDELIVERY))
                .otherwise(lit(CONFLICT)))
        .drop("_incoming", "_rank", "_first_hash");
  }
}
