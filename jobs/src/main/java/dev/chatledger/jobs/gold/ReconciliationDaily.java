package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** {@code gold.reconciliation_daily}: per reporting date and business (CONTRACT 3, 6). */
public final class ReconciliationDaily {
  private ReconciliationDaily() {}

  public static Dataset<Row> from(Dataset<Row> reconciliation) {
    Column zero = lit(0).cast("decimal(18,6)");
    List<Column> aggs = new ArrayList<>();
    aggs.add(coalesce(sum(col("billed")), zero).cast("decimal(18,6)").as("billed"));
    aggs.add(count(lit(1)).as("messages"));
    for (String outcome : BillingReconciliation.OUTCOMES) {
      aggs.add(count(when(col("outcome").equalTo(outcome), lit(1))).as(outcome));
    }
    return reconciliation.groupBy("date", "business_id")
        .agg(coalesce(sum(col("expected")), zero).cast("decimal(18,6)").as("expected"), aggs.toArray(new Column[0]))
        .withColumn("difference", col("billed").minus(col("expected")).cast("decimal(18,6)"));
  }
}
