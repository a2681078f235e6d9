package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * The messages of one conversation, (phone_number_id, user), in time order: the frame both
 * windows are computed on. At the same instant an inbound message sorts first, so an outbound
 * message sent at exactly t0 is inside the window t0 opens (t0 <= sent_at).
 */
final class ConversationStream {
  private ConversationStream() {}

  static WindowSpec ordered() {
    return Window.partitionBy("phone_number_id", "user_key")
        .orderBy(col("sent_at"), when(col("direction").equalTo("inbound"), lit(0)).otherwise(lit(1)),
            col("message_id"));
  }

  static WindowSpec upToHere() {
    return ordered().rowsBetween(Window.unboundedPreceding(), Window.currentRow());
  }

  static WindowSpec fromHere() {
    return ordered().rowsBetween(Window.currentRow(), Window.unboundedFollowing());
  }

  static Column inbound() {
    return col("direction").equalTo("inbound");
  }

  static Column outbound() {
    return col("direction").equalTo("outbound");
  }
}
