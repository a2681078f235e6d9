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
    Dataset<Row> delivered = earliestReceipts(statuses, "delivered_message_id");
    return outbound
        .join(delivered, outbound.col("message_id").equalTo(delivered.col("delivered_message_id")), "left")
        .drop("delivered_message_id");
  }

  /**
   * Per message ({@code idColumn}), its earliest delivered-or-read status ({@code delivered_at})
   * and its earliest read status ({@code read_at}).
   */
  static Dataset<Row> earliestReceipts(Dataset<Row> statuses, String idColumn) {
    return statuses
        .where(col("status").isin("delivered", "read"))
        .groupBy(col("message_id").as(idColumn))
        .agg(min(col("status_at")).as("delivered_at"),
            min(when(col("status").equalTo("read"), col("status_at"))).as("read_at"));
  }
}
