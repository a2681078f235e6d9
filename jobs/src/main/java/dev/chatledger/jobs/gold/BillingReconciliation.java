package dev.chatledger.jobs.gold;

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
   * within {@code lookbackDays} of its message's delivery or, undelivered, its sending: the rated
   * messages sent from the lookback on or delivered from {@code from} on (the two reads of
   * {@link GoldLayer#sentOrRevenueSince}) and the lines billed from the lookback on. The lookback's
   * messages delivered before {@code from} are dated before it and their rows dropped, but they
   * are read: a line billed from {@code from} on can be one of theirs, and is not an unknown
   * message's. (Reading only their ids for those lines cost more: two scans of the lookback.)
   */
  public static Dataset<Row> since(Dataset<Row> rated, Dataset<Row> billing, LocalDate from, int lookbackDays) {
    LocalDate lookback = from.minusDays(lookbackDays);
    return reconcile(GoldLayer.sentOrRevenueSince(rated, lookback, from),
            billing.where(col("billed_date").geq(lit(java.sql.Date.valueOf(lookback)))))
        .where(col("date").geq(lit(java.sql.Date.valueOf(from))));
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
