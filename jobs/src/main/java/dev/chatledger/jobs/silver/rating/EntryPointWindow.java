package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Free entry point window (CONTRACT 2, 7): an inbound message with a click-to-chat referral at t0,
 * answered by any outbound message of the same (phone_number_id, user) with t0 <= sent_at < t0 +
 * 24h, opens [t0, t0 + 72h). An unanswered referral opens nothing.
 */
public final class EntryPointWindow {
  private EntryPointWindow() {}

  /**
   * Adds {@code entry_point_opened_at} and {@code entry_point_opened_by} to outbound rows inside
   * an entry point window, null otherwise. Input: messages of both directions.
   */
  public static Dataset<Row> mark(Dataset<Row> messages) {
    Column referral = ConversationStream.inbound()
        .and(col("referral_source_type").isNotNull().or(col("referral_source_id").isNotNull()));
    return messages
        // the first outbound message at or after each row
        .withColumn("_next_outbound_at", first(when(ConversationStream.outbound(), col("sent_at")), true)
            .over(ConversationStream.fromHere()))
        .withColumn("_opens", referral.and(col("_next_outbound_at").lt(expr("sent_at + INTERVAL 24 HOURS"))))
        .withColumn("_last_open", last(
            when(col("_opens"), struct(col("sent_at").as("at"), col("message_id").as("id"))), true)
            .over(ConversationStream.upToHere()))
        .withColumn("_inside", ConversationStream.outbound()
            .and(col("_last_open").isNotNull())
            .and(col("sent_at").lt(expr("_last_open.at + INTERVAL 72 HOURS"))))
        .withColumn("entry_point_opened_at", when(col("_inside"), col("_last_open.at")))
        .withColumn("entry_point_opened_by", when(col("_inside"), col("_last_open.id")))
        .drop("_next_outbound_at", "_opens", "_last_open", "_inside");
  }
}
