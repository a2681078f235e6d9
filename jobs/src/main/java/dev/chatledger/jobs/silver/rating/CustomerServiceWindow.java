package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Customer service window (CONTRACT 2): every inbound message at t0 opens or renews [t0, t0 +
 * 24h) on its (phone_number_id, user). An outbound message is inside when its sent_at is in the
 * latest such window; the end is excluded.
 */
public final class CustomerServiceWindow {
  private CustomerServiceWindow() {}

  /**
   * Adds {@code service_window_opened_at} and {@code service_window_opened_by} (the inbound
   * message) to outbound rows inside a window, null otherwise. Input: messages of both directions.
   */
  public static Dataset<Row> mark(Dataset<Row> messages) {
    return messages
        .withColumn("_last_inbound", last(
            when(ConversationStream.inbound(), struct(col("sent_at").as("at"), col("message_id").as("id"))), true)
            .over(ConversationStream.upToHere()))
        .withColumn("_inside", ConversationStream.outbound()
            .and(col("_last_inbound").isNotNull())
            .and(col("sent_at").lt(expr("_last_inbound.at + INTERVAL 24 HOURS"))))
        .withColumn("service_window_opened_at", when(col("_inside"), col("_last_inbound.at")))
        .withColumn("service_window_opened_by", when(col("_inside"), col("_last_inbound.id")))
        .drop("_last_inbound", "_inside");
  }
}
