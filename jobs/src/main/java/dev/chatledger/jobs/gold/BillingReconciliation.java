package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code gold.billing_reconciliation} (CONTRACT 3, 7): per message, expected (its price, 0 when
 * not billable) against billed (charges minus refunds). A row for every message expected to cost
 * and every message with a billing line, also when the lines net to 0.
 */
public final class BillingReconciliation {
  public static final String MATCH = "match";
  public static final String MISSING_CHARGE = "missing_charge";
  public static final String UNEXPECTED_CHARGE = "unexpected_charge";
  public static final String AMOUNT_MISMATCH = "amount_mismatch";
  public static final String CATEGORY_MISMATCH = "category_mismatch";
  public static final String UNKNOWN_MESSAGE = "unknown_message";
  public static final String[] OUTCOMES = {
    MATCH, MISSING_CHARGE, UNEXPECTED_CHARGE, AMOUNT_MISMATCH, CATEGORY_MISMATCH, UNKNOWN_MESSAGE
  };

  private BillingReconciliation() {}

  /**
   * The rows of {@link #reconcile} dated on or after {@code from}, given that a line is billed
   * within {@code lookbackDays} of its message's delivery or, undelivered, its sending. It reads
   * whole rows only of the messages that can be dated there: sent from {@code from} on, delivered
   * from it on (the second read of {@link GoldLayer#sentOrRevenueSince}), or sent in the lookback
   * and never delivered (dated by their first line). The lookback's delivered messages are dated
   * before {@code from}, so they are not reconciled; only their ids are looked up, for the lines
   * that would otherwise look like lines of an unknown message (billed from {@code from} on for a
   * message delivered before it). Rows and lines both come from the lookback on, as in a run over
   * all of them.
   */
  public static Dataset<Row> since(Dataset<Row> rated, Dataset<Row> billing, LocalDate from, int lookbackDays) {
    Column fromDate = lit(java.sql.Date.valueOf(from));
    Column inLookback = col("sent_date").geq(lit(java.sql.Date.valueOf(from.minusDays(lookbackDays))))
        .and(col("sent_date").lt(fromDate));
    Dataset<Row> datable = GoldLayer.sentOrRevenueSince(rated, from, from)
        .unionByName(rated.where(inLookback.and(col("revenue_date").isNull())));
    Dataset<Row> rows = reconcile(datable,
            billing.where(col("billed_date").geq(lit(java.sql.Date.valueOf(from.minusDays(lookbackDays))))))
        .where(col("date").geq(fromDate));
    // few: lines of messages that never arrived, or that were delivered before `from` (the
    // reconciliation's shuffles are reused for them, not computed twice)
    Dataset<Row> unknown = rows.where(col("outcome").equalTo(UNKNOWN_MESSAGE)).select(col("message_id").as("_unknown_id"));
    Dataset<Row> datedBefore = rated.where(inLookback).select(col("message_id").as("_dated_before"))
        .join(broadcast(unknown), col("_dated_before").equalTo(col("_unknown_id")), "left_semi");
    return rows.join(broadcast(datedBefore), col("message_id").equalTo(col("_dated_before")), "left_anti");
  }

  public static Dataset<Row> reconcile(Dataset<Row> rated, Dataset<Row> billing) {
    Dataset<Row> billed = billing
        .groupBy(col("message_id").as("b_message_id"))
        .agg(sum(when(col("kind").equalTo("refund"), lit(0).minus(col("amount"))).otherwise(col("amount")))
                .cast("decimal(18,6)").as("billed"),
            count(lit(1)).as("billing_lines"),
            min(col("billed_at")).as("first_billed_at"),
            min(col("business_id")).as("line_business_id"),
            collect_set(struct(col("category"), col("pricing_type"))).as("line_kinds"));
    Dataset<Row> expected = rated.select(
        col("message_id"), col("business_id"), col("revenue_date"), col("category"), col("pricing_type"),
        when(col("billable"), col("price")).otherwise(lit(0)).cast("decimal(18,6)").as("expected"));
    Column known = col("message_id").isNotNull();
    Column b = coalesce(col("billed"), lit(0).cast("decimal(18,6)"));
    Column e = col("expected");
    Column lineDiffers = expr("exists(line_kinds, k -> NOT (k.category <=> category AND k.pricing_type <=> pricing_type))");
    Column outcome =
        when(col("message_id").isNull(), lit(UNKNOWN_MESSAGE))
            .when(b.lt(0), lit(AMOUNT_MISMATCH))
            .when(e.equalTo(b).and(e.gt(0)).and(coalesce(lineDiffers, lit(false))), lit(CATEGORY_MISMATCH))
            .when(e.equalTo(b), lit(MATCH))
            .when(e.gt(0).and(b.equalTo(0)), lit(MISSING_CHARGE))
            .when(e.equalTo(0).and(b.gt(0)), lit(UNEXPECTED_CHARGE))
            .otherwise(lit(AMOUNT_MISMATCH));
    return expected
        .join(billed, expected.col("message_id").equalTo(billed.col("b_message_id")), "full_outer")
        .where(col("expected").gt(0).or(col("b_message_id").isNotNull()))
        .select(
            coalesce(col("message_id"), col("b_message_id")).as("message_id"),
            coalesce(col("business_id"), col("line_business_id")).as("business_id"),
            col("revenue_date"),
            coalesce(col("revenue_date"), to_date(col("first_billed_at"))).as("date"),
            col("category"),
            col("pricing_type"),
            when(known, e).as("expected"),
            b.as("billed"),
            coalesce(col("billing_lines"), lit(0L)).as("billing_lines"),
            outcome.as("outcome"));
  }
}
