package dev.chatledger.jobs.cli;

import static org.apache.spark.sql.functions.col;

import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.silver.rating.ServiceQuota;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "explain", mixinStandardHelpOptions = true,
    description = {
      "Traces how one message was rated: policy, the window it was sent in and the inbound message",
      "that opened it, market and how it was found, category, its place in the month's tier count,",
      "the rate card row used, the billing lines and the reconciliation outcome."
    })
public final class ExplainCommand implements Callable<Integer> {
  @Option(names = "--warehouse", required = true, description = "warehouse root (path or Hadoop URI)")
  String warehouse;

  @Option(names = "--message-id", required = true, description = "the message to explain")
  String messageId;

  @Override
  public Integer call() {
    Warehouse w = Warehouse.open(SparkSessions.getOrCreate("chatledger-explain"), warehouse);
    return explain(w, messageId, System.out) ? ChatLedger.EXIT_OK : ChatLedger.EXIT_FAILURE;
  }

  /** Prints the trace; false when the message is nowhere in the warehouse. */
  public static boolean explain(Warehouse w, String messageId, PrintStream out) {
    List<Row> rated = w.read(Table.SILVER_RATED_MESSAGES).where(col("message_id").equalTo(messageId)).collectAsList();
    List<Row> lines = w.read(Table.SILVER_BILLING).where(col("message_id").equalTo(messageId))
        .orderBy("billed_at", "billing_event_id").collectAsList();
    List<Row> recon = w.read(Table.GOLD_BILLING_RECONCILIATION).where(col("message_id").equalTo(messageId)).collectAsList();
    out.println("message " + messageId);
    if (rated.isEmpty()) {
      List<Row> any = w.read(Table.SILVER_MESSAGES).where(col("message_id").equalTo(messageId)).collectAsList();
      if (!any.isEmpty()) {
        out.println("  an " + any.get(0).getAs("direction") + " message sent " + any.get(0).getAs("sent_at")
            + ": only outbound messages are rated");
      } else {
        out.println("  not in silver.messages: not landed (yet), or rejected (see ops.rejected)");
      }
    } else {
      Row r = rated.get(0);
      out.printf("  sent        %s UTC by %s on %s (business time zone %s)%n", r.getAs("sent_at"),
          r.getAs("business_id"), r.getAs("phone_number_id"), r.getAs("timezone"));
      out.printf("  delivered   %s%n", r.getAs("delivered_at") == null ? "never: not billable"
          : r.getAs("delivered_at") + " UTC (earliest delivered/read status); revenue date " + r.getAs("revenue_date")
              + ", local month " + r.getAs("local_month"));
      out.printf("  policy      %s (by the business-local date of sending)%n",
          r.getAs("policy") == null ? "none: sent before 2025-07-01, unrated" : r.getAs("policy"));
      out.printf("  windows     customer service: %s%n", r.getAs("service_window_opened_by") == null ? "outside"
          : "inside, opened by inbound " + r.getAs("service_window_opened_by") + " at " + r.getAs("service_window_opened_at"));
      out.printf("              free entry point: %s%n", r.getAs("entry_point_opened_by") == null ? "outside"
          : "inside, opened by referral " + r.getAs("entry_point_opened_by") + " at " + r.getAs("entry_point_opened_at"));
      out.printf("  market      %s (recipient country %s: %s)%n", r.getAs("market"), r.getAs("user_country"),
          r.getAs("market_source"));
      out.printf("  category    %s (type %s%s)%n", r.getAs("category"), r.getAs("type"),
          r.getAs("template_category") == null ? "" : ", template category " + r.getAs("template_category"));
      org.apache.spark.sql.Dataset<Row> month = w.read(Table.SILVER_RATED_MESSAGES)
          .where(col("local_month").equalTo(r.<String>getAs("local_month")));
      // the month's messages delivered before this one, in the contract's order (not stored: a
      // night keeps a row whose order moved but whose price cannot, see ThresholdCrossings)
      org.apache.spark.sql.Column earlier = col("delivered_at").lt(r.<java.sql.Timestamp>getAs("delivered_at"))
          .or(col("delivered_at").equalTo(r.<java.sql.Timestamp>getAs("delivered_at"))
              .and(col("message_id").lt(messageId)));
      org.apache.spark.sql.Dataset<Row> quota = month.where(ServiceQuota.usesQuota())
          .where(col("phone_number_id").equalTo(r.<String>getAs("phone_number_id")));
      boolean usesQuota = !quota.where(col("message_id").equalTo(messageId)).isEmpty();
      out.printf("  pricing     %s%s%n", r.getAs("pricing_type"), !usesQuota ? ""
          : " (free service quota position " + (1 + quota.where(earlier).count()) + " of "
              + ServiceQuota.FREE_SERVICE_MESSAGES_PER_MONTH + " this local month)");
      if (Boolean.TRUE.equals(r.getAs("billable"))) {
        out.printf("  tier count  %s billable messages of this business, market and category earlier in %s%n",
            month.where(col("business_id").equalTo(r.<String>getAs("business_id"))
                .and(col("market").eqNullSafe(r.getAs("market"))).and(col("category").eqNullSafe(r.getAs("category")))
                .and(col("billable")).and(earlier)).count(), r.getAs("local_month"));
        out.printf("  rate card   %s%n", Boolean.TRUE.equals(r.getAs("is_unrated"))
            ? "no row in force for (" + r.getAs("market") + ", " + r.getAs("category") + "): unrated, price 0"
            : "(" + r.getAs("market") + ", " + r.getAs("category") + ", effective_from " + r.getAs("rate_effective_from")
                + ", tier_from " + r.getAs("tier_from") + ")");
      }
      out.printf("  price       %s %s (billable: %s)%n", r.getAs("price"), r.getAs("currency"), r.getAs("billable"));
    }
    out.println("  billing     " + (lines.isEmpty() ? "no lines" : lines.size() + " line(s):"));
    for (Row l : lines) {
      out.printf("    %s %s %s %s/%s %s %s%n", l.getAs("billed_at"), l.getAs("billing_event_id"), l.getAs("kind"),
          l.getAs("category"), l.getAs("pricing_type"), l.getAs("amount"), l.getAs("currency"));
    }
    if (!recon.isEmpty()) {
      Row c = recon.get(0);
      out.printf("  outcome     %s (expected %s, billed %s)%n", c.getAs("outcome"), c.getAs("expected"), c.getAs("billed"));
    } else if (!rated.isEmpty()) {
      out.println("  outcome     nothing to reconcile (expected 0 and never billed)");
    }
    return !rated.isEmpty() || !lines.isEmpty();
  }
}
