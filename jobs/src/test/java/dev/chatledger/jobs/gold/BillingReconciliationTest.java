package dev.chatledger.jobs.gold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.SparkTestSupport;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class BillingReconciliationTest extends SparkTestSupport {
  private static final StructType RATED = StructType.fromDDL(
      "message_id STRING, business_id STRING, revenue_date DATE, category STRING, pricing_type STRING, "
          + "billable BOOLEAN, price DECIMAL(18,6)");
  private static final StructType BILLING = StructType.fromDDL(
      "message_id STRING, business_id STRING, kind STRING, category STRING, pricing_type STRING, "
          + "amount DECIMAL(18,6), billed_at TIMESTAMP");

  private final List<Row> rated = new ArrayList<>();
  private final List<Row> billing = new ArrayList<>();

  private void rated(String id, boolean billable, String price) {
    rated.add(RowFactory.create(id, "b-7", Date.valueOf("2026-11-21"), "utility", "regular", billable,
        new BigDecimal(price)));
  }

  private void line(String id, String kind, String category, String pricingType, String amount) {
    billing.add(RowFactory.create(id, "b-9", kind, category, pricingType, new BigDecimal(amount),
        Timestamp.from(Instant.parse("2026-11-22T00:00:05Z"))));
  }

  private Map<String, Row> reconcile() {
    Dataset<Row> out = BillingReconciliation.reconcile(
        SPARK.createDataFrame(rated, RATED), SPARK.createDataFrame(billing, BILLING));
    Map<String, Row> byId = new HashMap<>();
    out.collectAsList().forEach(r -> byId.put(r.getAs("message_id"), r));
    return byId;
  }

  @Test
  void everyOutcome() {
    rated("match", true, "0.0014");
    line("match", "charge", "utility", "regular", "0.0014");
    rated("missing", true, "0.0014");
    rated("unexpected", false, "0");
    line("unexpected", "charge", "utility", "regular", "0.0014");
    rated("amount", true, "0.0014");
    line("amount", "charge", "utility", "regular", "0.0015");
    rated("category", true, "0.0014");
    line("category", "charge", "utility", "free_customer_service", "0.0014");
    line("nobody", "charge", "marketing", "regular", "0.0118");
    rated("free-unbilled", false, "0"); // expected 0, no line: no row
    Map<String, Row> r = reconcile();
    assertThat(r.get("match").<String>getAs("outcome")).isEqualTo("match");
    assertThat(r.get("missing").<String>getAs("outcome")).isEqualTo("missing_charge");
    assertThat(r.get("missing").<BigDecimal>getAs("billed")).isEqualByComparingTo("0");
    assertThat(r.get("unexpected").<String>getAs("outcome")).isEqualTo("unexpected_charge");
    assertThat(r.get("amount").<String>getAs("outcome")).isEqualTo("amount_mismatch");
    assertThat(r.get("category").<String>getAs("outcome")).isEqualTo("category_mismatch");
    assertThat(r.get("nobody").<String>getAs("outcome")).isEqualTo("unknown_message");
    assertThat(r.get("nobody").<Object>getAs("expected")).isNull();
    assertThat(r.get("nobody").<String>getAs("business_id")).isEqualTo("b-9"); // the line's
    assertThat(r.get("match").<String>getAs("business_id")).isEqualTo("b-7"); // the message's
    assertThat(r).doesNotContainKey("free-unbilled").hasSize(6);
  }

  @Test
  void aChargeFullyRefundedNetsToZero() {
    rated("refunded", true, "0.0625");
    line("refunded", "charge", "marketing", "regular", "0.0625");
    line("refunded", "refund", "marketing", "regular", "0.0625");
    rated("free-refunded", false, "0");
    line("free-refunded", "charge", "utility", "regular", "0.0014");
    line("free-refunded", "refund", "utility", "regular", "0.0014");
    rated("over-refunded", true, "0.0014");
    line("over-refunded", "refund", "utility", "regular", "0.0020");
    Map<String, Row> r = reconcile();
    // expected 0.0625, billed 0.0625 - 0.0625 = 0
    assertThat(r.get("refunded").<BigDecimal>getAs("billed")).isEqualByComparingTo("0");
    assertThat(r.get("refunded").<String>getAs("outcome")).isEqualTo("missing_charge");
    assertThat(r.get("refunded").<Long>getAs("billing_lines")).isEqualTo(2L);
    // a free message charged and refunded: expected = billed = 0, still a row
    assertThat(r.get("free-refunded").<String>getAs("outcome")).isEqualTo("match");
    // billed < 0
    assertThat(r.get("over-refunded").<String>getAs("outcome")).isEqualTo("amount_mismatch");
  }

  @Test
  void dailyTotalsPerBusiness() {
    rated("a", true, "0.0014");
    line("a", "charge", "utility", "regular", "0.0014");
    rated("b", true, "0.0100");
    rated("c", false, "0");
    line("c", "charge", "utility", "regular", "0.0020");
    Row day = ReconciliationDaily.from(BillingReconciliation.reconcile(
        SPARK.createDataFrame(rated, RATED), SPARK.createDataFrame(billing, BILLING))).first();
    // expected 0.0014 + 0.0100 + 0 = 0.0114; billed 0.0014 + 0 + 0.0020 = 0.0034
    assertThat(day.<BigDecimal>getAs("expected")).isEqualByComparingTo("0.0114");
    assertThat(day.<BigDecimal>getAs("billed")).isEqualByComparingTo("0.0034");
    assertThat(day.<BigDecimal>getAs("difference")).isEqualByComparingTo("-0.0080");
    assertThat(day.<Long>getAs("match")).isEqualTo(1L);
    assertThat(day.<Long>getAs("missing_charge")).isEqualTo(1L);
    assertThat(day.<Long>getAs("unexpected_charge")).isEqualTo(1L);
  }

  // with the partition columns the reads from a horizon filter on
  private static final StructType DATED_RATED = RATED.add("sent_date", "date");
  private static final StructType DATED_BILLING = BILLING.add("billed_date", "date");

  private static Row sent(String id, String sentDate, String revenueDate, boolean billable) {
    return RowFactory.create(id, "b-7", revenueDate == null ? null : Date.valueOf(revenueDate),
        "marketing", "regular", billable, new BigDecimal(billable ? "0.0107" : "0"), Date.valueOf(sentDate));
  }

  private static Row charge(String id, String billedDate) {
    return RowFactory.create(id, "b-7", "charge", "marketing", "regular", new BigDecimal("0.0107"),
        Timestamp.valueOf(billedDate + " 10:00:00"), Date.valueOf(billedDate));
  }

  @Test
  void sinceADateEqualsTheRowsOfAllMessagesDatedFromIt() {
    Dataset<Row> ratedRows = SPARK.createDataFrame(List.of(
        sent("sent-after", "2026-11-23", "2026-11-23", true),
        sent("delivered-before", "2026-11-20", "2026-11-21", true), // its line is billed on 11-22
        sent("carried-over", "2026-11-21", "2026-11-22", true),
        sent("undelivered", "2026-11-18", null, false),
        sent("undelivered-billed-before", "2026-11-18", null, false),
        sent("sent-before-lookback", "2026-11-10", "2026-11-22", true),
        sent("settled", "2026-11-15", "2026-11-15", true)), DATED_RATED);
    Dataset<Row> lines = SPARK.createDataFrame(List.of(
        charge("sent-after", "2026-11-23"),
        charge("delivered-before", "2026-11-22"),
        charge("undelivered", "2026-11-22"),
        charge("undelivered-billed-before", "2026-11-21"),
        charge("undelivered-billed-before", "2026-11-23"),
        charge("never-arrived", "2026-11-23"),
        charge("never-arrived-before", "2026-11-21"),
        charge("never-arrived-before", "2026-11-22"),
        charge("sent-before-lookback", "2026-11-22")), DATED_BILLING);
    java.time.LocalDate from = java.time.LocalDate.parse("2026-11-22");

    Dataset<Row> since = BillingReconciliation.since(ratedRows, lines, from, 8);
    Dataset<Row> all = BillingReconciliation.reconcile(ratedRows, lines)
        .where(org.apache.spark.sql.functions.col("date").geq(Date.valueOf(from)));

    assertThat(since.orderBy("message_id").selectExpr("concat_ws(' ', message_id, cast(date AS STRING), outcome)")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList()).containsExactly(
            "carried-over 2026-11-22 missing_charge",
            "never-arrived 2026-11-23 unknown_message",
            "sent-after 2026-11-23 match",
            "sent-before-lookback 2026-11-22 match",
            "undelivered 2026-11-22 unexpected_charge");
    assertThat(since.exceptAll(all).count()).isZero();
    assertThat(all.exceptAll(since).count()).isZero();
  }
}
