package dev.chatledger.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.datasets.contract.Feed;
import dev.chatledger.datasets.generator.LandingZoneGenerator;
import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.gold.BillingReconciliation;
import dev.chatledger.jobs.gold.ConsentDaily;
import dev.chatledger.jobs.gold.ConsentViolations;
import dev.chatledger.jobs.gold.OptInCohorts;
import dev.chatledger.jobs.gold.RegionalUsageDaily;
import dev.chatledger.jobs.gold.RevenueDaily;
import dev.chatledger.jobs.tables.Table;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariants of the rating on a generated month that crosses the 2026-10-01 policy switch, and the
 * rating against the contract's plain-Java reading ({@link ContractReference}).
 */
class GeneratedMonthTest extends SparkTestSupport {

  @Test
  void revenueEqualsPricesAndEveryBillingLineIsReconciled(@TempDir Path dir) {
    Path landing = dir.resolve("landing");
    new LandingZoneGenerator(new LandingZoneGenerator.Options(landing, LocalDate.parse("2026-09-16"), 30, 400, 21))
        .run(s -> {});
    GeneratedWarehouse.lowerVolumeTiers(landing);
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

    // adoption: usage adds up to the rating and the consent events, cohorts stay within bounds
    Dataset<Row> messages = all.silver.get(Feed.MESSAGES);
    Dataset<Row> consents = all.silver.get(Feed.CONSENTS);
    Row regional = RegionalUsageDaily.from(messages, rated, all.markets)
        .agg(sum("outbound_messages"), sum("inbound_messages"), sum("revenue"), sum("billable_messages")).first();
    assertThat(regional.getLong(0)).isEqualTo(rated.count());
    assertThat(regional.getLong(1)).isEqualTo(messages.where("direction = 'inbound'").count());
    assertThat(regional.getDecimal(2)).isEqualByComparingTo(prices);
    assertThat(regional.getLong(3)).isEqualTo(rated.where("billable").count());
    Row consentDays = ConsentDaily.from(consents, rated).agg(sum("opt_ins"), sum("blocks")).first();
    assertThat(consentDays.getLong(0)).isPositive().isEqualTo(consents.where("action = 'opt_in'").count());
    assertThat(consentDays.getLong(1)).isEqualTo(consents.where("action = 'block'").count());
    Dataset<Row> cohorts = OptInCohorts.from(consents, LocalDate.parse("2026-10-20"));
    assertThat(cohorts.where("opted_in > prompted OR optin_rate < 0 OR optin_rate > 1").count()).isZero();
    assertThat(cohorts.where("opted_in > 0").count()).isPositive();
    assertThat(ConsentViolations.from(rated, consents).where("category IS NULL").count()).isZero();

    // the rating, message by message, and the reconciliation are those of the contract read in plain
    // Java (ContractReference): here with both policies, customer service windows, a local month
    // that ends and the rate card's change of 2026-10-01, and tiers low enough to be crossed
    ContractReference contract = ContractReference.read(landing);
    Map<String, ContractReference.Rated> expected = contract.rate();
    assertThat(expected.values().stream().filter(r -> r.tierFrom() != null && r.tierFrom() > 0).count())
        .as("messages priced above the list rate").isGreaterThan(100);
    assertThat(expected.values().stream().filter(r -> "free_customer_service".equals(r.pricingType())
        && "utility".equals(r.category())).count()).as("utility templates inside a customer service window").isPositive();
    LocalDate asOf = LocalDate.parse("2026-10-20");
    assertThat(ContractComparison.differences(
        ContractComparison.expected(contract, expected, Table.SILVER_RATED_MESSAGES, asOf),
        ContractComparison.published(rated.collectAsList(), Table.SILVER_RATED_MESSAGES))).isEmpty();
    assertThat(ContractComparison.differences(
        ContractComparison.expected(contract, expected, Table.GOLD_BILLING_RECONCILIATION, asOf),
        ContractComparison.published(reconciliation.collectAsList(), Table.GOLD_BILLING_RECONCILIATION))).isEmpty();
    rated.unpersist();
  }
}
