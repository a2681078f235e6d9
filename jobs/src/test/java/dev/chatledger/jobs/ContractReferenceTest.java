package dev.chatledger.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.tables.Table;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared generated warehouse (eight arrival nights of late and repeated lines, run one night at
 * a time) against {@link ContractReference}, a plain-Java reading of CONTRACT 2, 3 and 4 over every
 * landed line at once: each rated message, revenue row, reconciliation row, cohort, day of consent,
 * violation and row of regional usage must be the same, value for value.
 */
class ContractReferenceTest extends SparkTestSupport {
  static GeneratedWarehouse generated;
  static ContractReference reference;
  static Map<String, ContractReference.Rated> rated;

  @BeforeAll
  static void readBoth() {
    generated = GeneratedWarehouse.get(SPARK);
    reference = ContractReference.read(generated.landing);
    rated = reference.rate();
  }

  @Test
  void everyOutboundMessageIsRatedAsTheContractReads() {
    assertThat(rated).hasSizeGreaterThan(1_000);
    assertThat(rated.values().stream().filter(ContractReference.Rated::billable).count()).isGreaterThan(100);
    // the nights moved tier orders: the warehouse's rate card has tiers from the 3rd message on
    assertThat(rated.values().stream().filter(r -> r.tierFrom() != null && r.tierFrom() > 0).count())
        .as("messages priced above the list rate").isGreaterThan(50);
    assertThat(ContractReference.differences(ContractReference.rendered(rated),
        ContractReference.rendered(generated.warehouse.read(Table.SILVER_RATED_MESSAGES).collectAsList())))
        .as("rated messages that differ from the contract's reading").isEmpty();
  }

  @Test
  void revenueDailyIsTheSumOfTheDeliveredMessages() {
    Map<String, BigDecimal[]> expected = new TreeMap<>();
    for (ContractReference.Rated r : rated.values()) {
      if (r.deliveredAt() == null) {
        continue;
      }
      BigDecimal[] sums = expected.computeIfAbsent(String.join("|", r.revenueDate().toString(), r.business(),
          r.userCountry(), r.market(), r.category(), Objects.toString(r.pricingType())),
          k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
      sums[0] = sums[0].add(BigDecimal.ONE);
      sums[1] = sums[1].add(r.billable() ? BigDecimal.ONE : BigDecimal.ZERO);
      sums[2] = sums[2].add(r.billable() ? r.price() : BigDecimal.ZERO);
    }
    Map<String, String> published = new TreeMap<>();
    for (Row r : generated.warehouse.read(Table.GOLD_REVENUE_DAILY).collectAsList()) {
      published.put(String.join("|", r.getAs("revenue_date").toString(), r.getAs("business_id"), r.getAs("user_country"),
              r.getAs("market"), r.getAs("category"), Objects.toString(r.getAs("pricing_type"))),
          r.getAs("delivered_messages") + " " + r.getAs("billable_messages") + " "
              + ((BigDecimal) r.getAs("revenue")).stripTrailingZeros().toPlainString());
    }
    Map<String, String> want = new TreeMap<>();
    expected.forEach((k, s) -> want.put(k, s[0].toPlainString() + " " + s[1].toPlainString() + " "
        + s[2].stripTrailingZeros().toPlainString()));
    assertThat(want).hasSizeGreaterThan(100);
    assertThat(ContractReference.differences(want, published)).isEmpty();
  }

  @Test
  void everyMessageIsReconciledAsTheContractReads() {
    Map<String, ContractReference.Reconciled> expected = reference.reconcile(rated);
    Map<String, String> want = new TreeMap<>();
    expected.forEach((id, r) -> want.put(id, String.join(" ", r.business(), Objects.toString(r.revenueDate()),
        r.date().toString(), plain(r.expected()), plain(r.billed()), r.outcome())));
    Map<String, String> published = new TreeMap<>();
    for (Row r : generated.warehouse.read(Table.GOLD_BILLING_RECONCILIATION).collectAsList()) {
      published.put(r.getAs("message_id"), String.join(" ", r.getAs("business_id"),
          Objects.toString(r.getAs("revenue_date")), r.getAs("date").toString(), plain(r.getAs("expected")),
          plain(r.getAs("billed")), r.getAs("outcome")));
    }
    assertThat(want.values().stream().map(v -> v.substring(v.lastIndexOf(' ') + 1)).distinct().count())
        .as("outcomes the generated zone has").isGreaterThanOrEqualTo(4);
    assertThat(ContractReference.differences(want, published)).isEmpty();

    // and reconciliation_daily sums them per (date, business)
    Map<String, BigDecimal[]> daily = new TreeMap<>();
    for (ContractReference.Reconciled r : expected.values()) {
      BigDecimal[] s = daily.computeIfAbsent(r.date() + "|" + r.business(),
          k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
      s[0] = s[0].add(r.expected() == null ? BigDecimal.ZERO : r.expected());
      s[1] = s[1].add(r.billed());
      s[2] = s[2].add(BigDecimal.ONE);
    }
    Map<String, String> wantDaily = new TreeMap<>();
    daily.forEach((k, s) -> wantDaily.put(k, plain(s[0]) + " " + plain(s[1]) + " " + s[2]));
    Map<String, String> publishedDaily = new TreeMap<>();
    for (Row r : generated.warehouse.read(Table.GOLD_RECONCILIATION_DAILY).collectAsList()) {
      publishedDaily.put(r.getAs("date") + "|" + r.getAs("business_id"),
          plain(r.getAs("expected")) + " " + plain(r.getAs("billed")) + " " + r.getAs("messages"));
    }
    assertThat(ContractReference.differences(wantDaily, publishedDaily)).isEmpty();
  }

  @Test
  void cohortsTheDailyBaseAndViolationsAreAsTheContractReads() {
    LocalDate lastNight = generated.nights.get(generated.nights.size() - 1);
    Map<String, String> wantCohorts = new TreeMap<>();
    reference.cohorts().forEach((k, v) -> wantCohorts.put(k, v[0] + " " + v[1] + " "
        + !lastNight.isBefore(LocalDate.parse(k.substring(0, 10)).plusDays(7))));
    Map<String, String> cohorts = new TreeMap<>();
    for (Row r : generated.warehouse.read(Table.GOLD_OPTIN_COHORTS).collectAsList()) {
      cohorts.put(String.join("|", r.getAs("prompt_date").toString(), r.getAs("business_id"), r.getAs("user_country")),
          r.getAs("prompted") + " " + r.getAs("opted_in") + " " + r.getAs("is_final"));
    }
    assertThat(wantCohorts).hasSizeGreaterThan(20);
    assertThat(ContractReference.differences(wantCohorts, cohorts)).isEmpty();

    Map<String, String> wantDaily = new TreeMap<>();
    reference.consentDaily().forEach((k, v) -> wantDaily.put(k, java.util.Arrays.toString(v)));
    Map<String, String> daily = new TreeMap<>();
    for (Row r : generated.warehouse.read(Table.GOLD_CONSENT_DAILY).collectAsList()) {
      long[] v = new long[8];
      String[] columns = {"prompts", "opt_ins", "opt_outs", "blocks", "unblocks", "blocking_users",
          "active_optin_base", "marketing_recipients"};
      for (int i = 0; i < v.length; i++) {
        v[i] = ((Number) r.getAs(columns[i])).longValue();
      }
      daily.put(r.getAs("date") + "|" + r.getAs("business_id"), java.util.Arrays.toString(v));
    }
    assertThat(wantDaily).hasSizeGreaterThan(20);
    assertThat(ContractReference.differences(wantDaily, daily)).isEmpty();

    java.util.Set<String> violations = new java.util.TreeSet<>();
    generated.warehouse.read(Table.GOLD_CONSENT_VIOLATIONS).select("message_id").collectAsList()
        .forEach(r -> violations.add(r.getString(0)));
    assertThat(reference.violations()).hasSizeGreaterThan(10);
    assertThat(violations).isEqualTo(reference.violations());
  }

  @Test
  void regionalUsageIsAsTheContractReads() {
    Map<String, String> want = reference.regionalUsage(rated);
    Map<String, String> published = new TreeMap<>();
    for (Row r : generated.warehouse.read(Table.GOLD_REGIONAL_USAGE_DAILY).collectAsList()) {
      StringBuilder v = new StringBuilder();
      for (String c : List.of("active_businesses", "active_users", "inbound_messages", "outbound_messages",
          "marketing_templates", "utility_templates", "authentication_templates", "delivered_messages", "read_messages",
          "interactive_messages")) {
        v.append(((Number) r.getAs(c)).longValue()).append(' ');
      }
      for (String c : List.of("delivered_rate", "read_rate", "interactive_share")) {
        v.append(r.isNullAt(r.fieldIndex(c)) ? "null"
            : String.format(java.util.Locale.ROOT, "%.9f", (double) r.getAs(c))).append(' ');
      }
      v.append(((Number) r.getAs("billable_messages")).longValue()).append(' ').append(plain(r.getAs("revenue")));
      published.put(String.join("|", r.getAs("date").toString(), r.getAs("user_country"), r.getAs("market")), v.toString());
    }
    assertThat(want).hasSizeGreaterThan(20);
    assertThat(ContractReference.differences(want, published)).isEmpty();
  }

  private static String plain(BigDecimal d) {
    return d == null ? "null" : d.stripTrailingZeros().toPlainString();
  }

}
