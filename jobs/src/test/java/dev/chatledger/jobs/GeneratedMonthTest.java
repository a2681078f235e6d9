package dev.chatledger.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.datasets.contract.Feed;
import dev.chatledger.datasets.generator.LandingZoneGenerator;
import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.gold.BillingReconciliation;
import dev.chatledger.jobs.gold.RevenueDaily;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Invariants of the rating on a generated month that crosses the 2026-10-01 policy switch. */
class GeneratedMonthTest extends SparkTestSupport {

  @Test
  void revenueEqualsPricesAndEveryBillingLineIsReconciled(@TempDir Path dir) {
    Path landing = dir.resolve("landing");
    new LandingZoneGenerator(new LandingZoneGenerator.Options(landing, LocalDate.parse("2026-09-16"), 30, 400, 21))
        .run(s -> {});
    OneRunOverAll all = new OneRunOverAll(SPARK, landing, HmacKey.DEMO_KEY);
    Dataset<Row> rated = all.rated().persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> billing = all.silver.get(Feed.BILLING);
    BigDecimal revenue = RevenueDaily.from(rated).agg(sum("revenue")).first().getDecimal(0);
    BigDecimal prices = rated.agg(sum("price")).first().getDecimal(0);
    assertThat(revenue).isPositive().isEqualByComparingTo(prices);

    Dataset<Row> reconciliation = BillingReconciliation.reconcile(rated, billing);
    assertThat(billing.join(reconciliation, billing.col("message_id").equalTo(reconciliation.col("message_id")), "left_anti")
        .count()).isZero();
    // both policies are present, and every outcome the generator plants shows up
    assertThat(rated.select("policy").distinct().where(col("policy").isNotNull()).count()).isEqualTo(2);
    assertThat(reconciliation.select("outcome").distinct().count()).isGreaterThanOrEqualTo(5);
    // one row per outbound message
    assertThat(rated.select("message_id").distinct().count()).isEqualTo(rated.count());
    rated.unpersist();
  }
}
