package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * When a message was delivered (CONTRACT 2, 7): its earliest {@code delivered} or {@code read}
 * status. {@code read} implies delivered, and a delivery counts even when a {@code failed} status
 * came first.
 */
public final class Delivery {
  private Delivery() {}

  /**
   * Adds {@code delivered_at} (null when never delivered) and {@code read_at} (earliest read
   * status). One shuffle (the aggregation).
   */
  public static Dataset<Row> withDeliveredAt(Dataset<Row> outbound, Dataset<Row> statuses) {
    Dataset<Row> delivered = statuses
        .where(col("status").isin("delivered", "read"))
        .groupBy(col("message_id").as("delivered_message_id"))
        .agg(min(col("status_at")).as("delivered_at"),
            min(when(col("status").equalTo("read"), col("status_at"))).as("read_at"));
    return outbound
        .join(delivered, outbound.col("message_id").equalTo(delivered.col("delivered_message_id")), "left")
        .drop("delivered_message_id");
  }
}
