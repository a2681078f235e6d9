package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * One test per rule and boundary of CONTRACT 2 and 7. Dates before 2026-10-01 run under
 * pmp-2025-07 (utility free inside the service window), later ones under pmp-2026-10.
 */
class MessageRatingTest {

  private static String s(Row r, String column) {
    return r.getAs(column);
  }

  private static BigDecimal price(Row r) {
    return r.getAs("price");
  }

  @Test
  void serviceWindowIncludes24HoursMinusOneMillisecondButNotExactly24Hours() {
    // inbound at 08:00 opens [08:00, next day 08:00); pmp-2025-07: utility inside is free
    Map<String, Row> r = new RatingFixture()
        .inbound("in-1", "2026-03-10T08:00:00Z")
        .template("inside", "2026-03-11T07:59:59.999Z", "utility")
        .template("outside", "2026-03-11T08:00:00Z", "utility")
        .rate();
    assertThat(s(r.get("inside"), "pricing_type")).isEqualTo("free_customer_service");
    assertThat(s(r.get("inside"), "service_window_opened_by")).isEqualTo("in-1");
    assertThat(price(r.get("inside"))).isEqualByComparingTo("0");
    assertThat(s(r.get("outside"), "pricing_type")).isEqualTo("regular");
    assertThat(price(r.get("outside"))).isEqualByComparingTo("0.0014"); // India utility list rate
  }

  @Test
  void everyInboundMessageRenewsTheServiceWindow() {
    Map<String, Row> r = new RatingFixture()
        .inbound("in-1", "2026-03-10T08:00:00Z")
        .inbound("in-2", "2026-03-10T20:00:00Z")
        .template("renewed", "2026-03-11T10:00:00Z", "utility") // 26h after in-1, 14h after in-2
        .rate();
    assertThat(s(r.get("renewed"), "pricing_type")).isEqualTo("free_customer_service");
    assertThat(s(r.get("renewed"), "service_window_opened_by")).isEqualTo("in-2");
  }

  @Test
  void entryPointWindowCovers72HoursMinusOneMillisecondButNotExactly72Hours() {
    // a referral at 08:00 answered at 09:00 opens [08:00, +72h); templates inside are free
    Map<String, Row> r = new RatingFixture()
        .referral("ad-in", "2026-03-10T08:00:00Z")
        .message("answer", "outbound", "2026-03-10T09:00:00Z", "b-in", "u-1", "IN", "text", null, null)
        .template("inside", "2026-03-13T07:59:59.999Z", "marketing")
        .template("outside", "2026-03-13T08:00:00Z", "marketing")
        .rate();
    assertThat(s(r.get("inside"), "pricing_type")).isEqualTo("free_entry_point");
    assertThat(s(r.get("inside"), "entry_point_opened_by")).isEqualTo("ad-in");
    assertThat(s(r.get("outside"), "pricing_type")).isEqualTo("regular");
    assertThat(price(r.get("outside"))).isEqualByComparingTo("0.0118"); // India marketing from 2026-01-01
  }

  @Test
  void aTemplateAnsweringTheReferralIsItselfInTheEntryPointWindow() {
    // CONTRACT 8: m-2 answers m-1 within 24h, so it opens the window and is inside it
    Map<String, Row> r = new RatingFixture()
        .referral("m-1", "2026-11-21T08:00:00Z")
        .template("m-2", "2026-11-21T08:05:00Z", "utility")
        .rate();
    assertThat(s(r.get("m-2"), "pricing_type")).isEqualTo("free_entry_point");
    assertThat((Boolean) r.get("m-2").getAs("billable")).isFalse();
  }

  @Test
  void aReferralNotAnsweredWithin24HoursOpensNoEntryPointWindow() {
    // first answer exactly 24h later: too late (end excluded), and outside the service window too
    Map<String, Row> r = new RatingFixture()
        .referral("ad-in", "2026-03-10T08:00:00Z")
        .template("late", "2026-03-11T08:00:00Z", "marketing")
        .rate();
    assertThat(s(r.get("late"), "entry_point_opened_by")).isNull();
    assertThat(s(r.get("late"), "pricing_type")).isEqualTo("regular");
  }

  @Test
  void aLateInboundMessageTurnsAChargedUtilityMessageFree() {
    RatingFixture night1 = new RatingFixture().template("u", "2026-03-10T12:00:00Z", "utility");
    assertThat(s(night1.rate().get("u"), "pricing_type")).isEqualTo("regular");
    // the next night the inbound message of 10:00 lands: re-rating from silver frees it
    RatingFixture night2 = new RatingFixture()
        .template("u", "2026-03-10T12:00:00Z", "utility")
        .inbound("in-late", "2026-03-10T10:00:00Z");
    Row u = night2.rate().get("u");
    assertThat(s(u, "pricing_type")).isEqualTo("free_customer_service");
    assertThat(price(u)).isEqualByComparingTo("0");
  }

  @Test
  void policySwitchesAtLocalMidnightEastAndWestOfUtc() {
    RatingFixture f = new RatingFixture();
    // Kolkata is UTC+05:30: 18:29:59.999Z on 30 Sept is 23:59:59.999 local, 18:30Z is 1 Oct 00:00
    f.inbound("in-1", "2026-09-30T12:00:00Z");
    f.template("east-before", "2026-09-30T18:29:59.999Z", "utility");
    f.template("east-after", "2026-09-30T18:30:00Z", "utility");
    // Sao Paulo is UTC-03:00: 02:59:59.999Z on 1 Oct is still 30 Sept locally
    f.message("in-2", "inbound", "2026-09-30T20:00:00Z", "b-br", "u-2", "BR", "text", null, null);
    f.message("west-before", "outbound", "2026-10-01T02:59:59.999Z", "b-br", "u-2", "BR", "template", "utility", null);
    f.message("west-after", "outbound", "2026-10-01T03:00:00Z", "b-br", "u-2", "BR", "template", "utility", null);
    f.delivered("west-before", "2026-10-01T02:59:59.999Z").delivered("west-after", "2026-10-01T03:00:01Z");
    Map<String, Row> r = f.rate();
    assertThat(s(r.get("east-before"), "policy")).isEqualTo("pmp-2025-07");
    assertThat(s(r.get("east-before"), "pricing_type")).isEqualTo("free_customer_service");
    assertThat(s(r.get("east-after"), "policy")).isEqualTo("pmp-2026-10");
    assertThat(s(r.get("east-after"), "pricing_type")).isEqualTo("regular"); // utility charged in the window
    assertThat(s(r.get("west-before"), "policy")).isEqualTo("pmp-2025-07");
    assertThat(s(r.get("west-before"), "pricing_type")).isEqualTo("free_customer_service");
    assertThat(s(r.get("west-after"), "policy")).isEqualTo("pmp-2026-10");
    assertThat(price(r.get("west-after"))).isEqualByComparingTo("0.0068"); // Brazil utility
  }

  @Test
  void tiersCountPerLocalMonthNotUtcMonth() {
    // illustrative tiers: from the 3rd charged utility message of the month, 0.0010
    RatingFixture f = new RatingFixture().rate("India", "utility", "2025-07-01", 2, "0.0010");
    // Kolkata: 18:00Z on 31 Oct is 23:30 local (October); 18:40Z is 00:10 on 1 Nov (November)
    f.template("oct", "2026-10-31T18:00:00Z", "utility");
    f.template("nov-1", "2026-10-31T18:40:00Z", "utility");
    f.template("nov-2", "2026-11-02T10:00:00Z", "utility");
    f.template("nov-3", "2026-11-03T10:00:00Z", "utility");
    Map<String, Row> r = f.rate();
    assertThat(s(r.get("oct"), "local_month")).isEqualTo("2026-10");
    assertThat((Long) r.get("oct").getAs("tier_position")).isEqualTo(0L);
    assertThat(s(r.get("nov-1"), "local_month")).isEqualTo("2026-11");
    assertThat(r.get("nov-1").getAs("revenue_date").toString()).isEqualTo("2026-10-31"); // UTC date
    assertThat((Long) r.get("nov-1").getAs("tier_position")).isEqualTo(0L);
    assertThat((Long) r.get("nov-2").getAs("tier_from")).isEqualTo(0L);
    // the third November message crosses into tier 2
    assertThat((Long) r.get("nov-3").getAs("tier_position")).isEqualTo(2L);
    assertThat((Long) r.get("nov-3").getAs("tier_from")).isEqualTo(2L);
    assertThat(price(r.get("nov-3"))).isEqualByComparingTo("0.0010");
    assertThat(price(r.get("nov-2"))).isEqualByComparingTo("0.0014");
  }

  @Test
  void messagesDeliveredAtTheSameInstantAreOrderedByMessageId() {
    RatingFixture f = new RatingFixture().rate("India", "marketing", "2026-01-01", 1, "0.0100");
    f.message("m-b", "outbound", "2026-11-10T10:00:00Z", "b-in", "u-1", "IN", "template", "marketing", null);
    f.message("m-a", "outbound", "2026-11-10T10:00:01Z", "b-in", "u-1", "IN", "template", "marketing", null);
    f.delivered("m-a", "2026-11-10T10:00:05Z").delivered("m-b", "2026-11-10T10:00:05Z");
    Map<String, Row> r = f.rate();
    assertThat(price(r.get("m-a"))).isEqualByComparingTo("0.0118"); // first: list rate
    assertThat(price(r.get("m-b"))).isEqualByComparingTo("0.0100"); // second: tier 1
  }

  @Test
  void authenticationInternationalOnlyForAForeignBusinessInAMarketThatHasIt() {
    RatingFixture f = new RatingFixture();
    f.message("domestic", "outbound", "2026-11-10T10:00:00Z", "b-in", "u-1", "IN", "template", "authentication", null);
    f.message("foreign", "outbound", "2026-11-10T10:00:00Z", "b-br", "u-1", "IN", "template", "authentication", null);
    // Brazil has no authentication_international rate: a foreign business pays the domestic one
    f.message("no-intl", "outbound", "2026-11-10T10:00:00Z", "b-in", "u-2", "BR", "template", "authentication", null);
    f.delivered("domestic", "2026-11-10T10:00:01Z").delivered("foreign", "2026-11-10T10:00:01Z")
        .delivered("no-intl", "2026-11-10T10:00:01Z");
    Map<String, Row> r = f.rate();
    assertThat(s(r.get("domestic"), "category")).isEqualTo("authentication");
    assertThat(price(r.get("domestic"))).isEqualByComparingTo("0.0014");
    assertThat(s(r.get("foreign"), "category")).isEqualTo("authentication_international");
    assertThat(price(r.get("foreign"))).isEqualByComparingTo("0.0280");
    assertThat(s(r.get("no-intl"), "category")).isEqualTo("authentication");
    assertThat(price(r.get("no-intl"))).isEqualByComparingTo("0.0068");
  }

  @Test
  void the1001stDeliveredServiceMessageOfTheMonthIsCharged() {
    RatingFixture f = new RatingFixture();
    for (int i = 1; i <= 1001; i++) {
      String id = String.format("svc-%04d", i);
      String at = java.time.Instant.parse("2026-11-10T00:00:00Z").plusSeconds(60L * i).toString();
      f.message(id, "outbound", at, "b-in", "u-1", "IN", "text", null, null);
      f.delivered(id, at);
    }
    // an undelivered one uses no quota
    f.message("svc-undelivered", "outbound", "2026-11-10T00:00:30Z", "b-in", "u-1", "IN", "text", null, null);
    Map<String, Row> r = f.rate();
    assertThat(s(r.get("svc-1000"), "pricing_type")).isEqualTo("free_customer_service");
    assertThat(s(r.get("svc-1001"), "pricing_type")).isEqualTo("regular");
    assertThat(s(r.get("svc-1001"), "category")).isEqualTo("service");
    assertThat(price(r.get("svc-1001"))).isEqualByComparingTo("0.0014"); // India service rate
    assertThat(s(r.get("svc-undelivered"), "pricing_type")).isEqualTo("free_customer_service");
    assertThat(r.get("svc-undelivered").<Object>getAs("service_quota_position")).isNull();
  }

  @Test
  void readWithoutDeliveredCountsAsDelivered() {
    RatingFixture f = new RatingFixture();
    f.message("m", "outbound", "2026-11-10T10:00:00Z", "b-in", "u-1", "IN", "template", "marketing", null);
    f.status("m", "read", "2026-11-10T10:05:00Z");
    Row m = f.rate().get("m");
    assertThat((Timestamp) m.getAs("delivered_at")).isEqualTo(RatingFixture.at("2026-11-10T10:05:00Z"));
    assertThat((Boolean) m.getAs("billable")).isTrue();
  }

  @Test
  void failedThenDeliveredIsDeliveredAndNeverDeliveredIsFree() {
    RatingFixture f = new RatingFixture();
    f.message("retry", "outbound", "2026-11-10T10:00:00Z", "b-in", "u-1", "IN", "template", "marketing", null);
    f.status("retry", "failed", "2026-11-10T10:00:02Z").status("retry", "delivered", "2026-11-10T10:01:00Z");
    f.message("lost", "outbound", "2026-11-10T10:00:00Z", "b-in", "u-1", "IN", "template", "marketing", null);
    f.status("lost", "failed", "2026-11-10T10:00:02Z");
    Map<String, Row> r = f.rate();
    assertThat((Timestamp) r.get("retry").getAs("delivered_at")).isEqualTo(RatingFixture.at("2026-11-10T10:01:00Z"));
    assertThat(price(r.get("retry"))).isEqualByComparingTo("0.0118");
    assertThat((Boolean) r.get("lost").getAs("billable")).isFalse();
    assertThat(price(r.get("lost"))).isEqualByComparingTo("0");
    assertThat(r.get("lost").<Object>getAs("revenue_date")).isNull();
    assertThat(r.get("lost").<Object>getAs("local_month")).isNull();
  }

  @Test
  void aMarketWithoutRatesIsUnratedButStillBillable() {
    RatingFixture f = new RatingFixture();
    // KE is not in this test's markets: market Other, which has no rate card rows here
    f.message("ke", "outbound", "2026-11-10T10:00:00Z", "b-in", "u-9", "KE", "template", "marketing", null);
    f.delivered("ke", "2026-11-10T10:00:01Z");
    Row ke = f.rate().get("ke");
    assertThat(s(ke, "market")).isEqualTo("Other");
    assertThat((Boolean) ke.getAs("billable")).isTrue();
    assertThat((Boolean) ke.getAs("is_unrated")).isTrue();
    assertThat(price(ke)).isEqualByComparingTo("0");
    assertThat(ke.<Object>getAs("tier_from")).isNull();
  }

  @Test
  void theRateCardRowInForceOnTheLocalDeliveryDate() {
    // India marketing: 0.0107 until 2025-12-31 local, 0.0118 from 2026-01-01 local (Kolkata)
    RatingFixture f = new RatingFixture();
    f.message("nye", "outbound", "2025-12-31T18:00:00Z", "b-in", "u-1", "IN", "template", "marketing", null);
    f.delivered("nye", "2025-12-31T18:29:59Z"); // 23:59:59 local
    f.message("ny", "outbound", "2025-12-31T18:00:00Z", "b-in", "u-1", "IN", "template", "marketing", null);
    f.delivered("ny", "2025-12-31T18:30:00Z"); // 00:00 local on 1 Jan
    Map<String, Row> r = f.rate();
    assertThat(price(r.get("nye"))).isEqualByComparingTo("0.0107");
    assertThat(price(r.get("ny"))).isEqualByComparingTo("0.0118");
  }

  @Test
  void reRatingFromAHorizonWithMonthToDateCountersEqualsRatingTheWholeMonth() {
    RatingFixture f = monthAcrossTheQuotaAndATier();
    // sent before the horizon, delivered after it: carried over, its tier position moves
    f.message("late-delivery", "outbound", "2026-11-03T23:00:00Z", "b-in", "u-1", "IN", "template", "utility", null);
    f.delivered("late-delivery", "2026-11-04T12:00:00Z");
    Dataset<Row> all = f.rated().persist();
    java.time.LocalDate from = java.time.LocalDate.parse("2026-11-04");
    Column beforeHorizon = col("sent_date").lt(lit(java.sql.Date.valueOf(from)));
    Column deliveredBefore = col("delivered_at").lt(lit(Timestamp.valueOf(from.atStartOfDay())));
    Dataset<Row> carried = all.where(beforeHorizon.and(deliveredBefore.unary_$bang())).select("message_id");
    Dataset<Row> settled = all.where(beforeHorizon.and(deliveredBefore));

    Dataset<Row> reRated = reRate(f, new MessageRating.Horizon(from, carried, Tiering.offsets(MonthToDate.counters(settled)),
            ServiceQuota.offsets(MonthToDate.counters(settled))));

    java.util.List<Row> expected = all.where(beforeHorizon.unary_$bang().or(col("message_id").equalTo("late-delivery")))
        .orderBy("message_id").collectAsList();
    assertThat(carried.collectAsList()).extracting(r -> r.getString(0)).containsExactly("late-delivery");
    assertThat(reRated.orderBy("message_id").collectAsList()).containsExactlyElementsOf(expected);
    Map<String, Row> r = new java.util.HashMap<>();
    reRated.collectAsList().forEach(row -> r.put(row.getAs("message_id"), row));
    assertThat(s(r.get("svc-1001"), "pricing_type")).isEqualTo("regular");
    assertThat((Long) r.get("svc-1000").getAs("service_quota_position")).isEqualTo(1000L);
    // 12 utility templates before the horizon, 13th and later in tier 3
    assertThat((Long) r.get("u-4-0").getAs("tier_position")).isEqualTo(12L);
    assertThat((Long) r.get("u-4-0").getAs("tier_from")).isEqualTo(3L);
    assertThat((Long) r.get("late-delivery").getAs("tier_position")).isEqualTo(14L);
  }

  @Test
  void quietConversationsKeepTheirStoredRatingTakeTonightsReceiptsAndStillMoveInTheTiers() {
    RatingFixture f = monthAcrossTheQuotaAndATier();
    f.message("late-delivery", "outbound", "2026-11-03T23:00:00Z", "b-in", "u-1", "IN", "template", "utility", null);
    Dataset<Row> lastNight = f.rated().persist(); // as stored: late-delivery not delivered yet
    lastNight.count();

    // tonight: u-2's templates (same business, market, category: they share u-1's tiers) and
    // late-delivery's receipt; u-1's conversation brings no message
    for (int day = 4; day <= 6; day++) {
      f.message("v-" + day, "outbound", String.format("2026-11-%02dT03:00:00Z", day), "b-in", "u-2", "IN", "template",
          "utility", null);
      f.delivered("v-" + day, String.format("2026-11-%02dT03:00:01Z", day));
    }
    f.delivered("late-delivery", "2026-11-04T12:00:00Z");
    Dataset<Row> all = f.rated().persist(); // one rating of everything
    java.time.LocalDate from = java.time.LocalDate.parse("2026-11-03"); // late-delivery's sent date (NightScope)
    Column beforeHorizon = col("sent_date").lt(lit(java.sql.Date.valueOf(from)));
    Stored last = Stored.from(lastNight, from);
    Dataset<Row> touched = touched("pn-b-in", "u-2");
    Dataset<Row> receipts = RatingFixture.df(java.util.List.of(org.apache.spark.sql.RowFactory.create(
        "late-delivery", "delivered", RatingFixture.at("2026-11-04T12:00:00Z"))), RatingFixture.STATUSES);

    Dataset<Row> reRated = reRate(f, new MessageRating.Horizon(from, last.carried(), Tiering.offsets(MonthToDate.counters(last.settled())),
            ServiceQuota.offsets(MonthToDate.counters(last.settled())), touched, last.rows(), receipts));

    assertThat(reRated.orderBy("message_id").collectAsList())
        .containsExactlyElementsOf(all.where(beforeHorizon.unary_$bang()).orderBy("message_id").collectAsList());
    Map<String, Row> r = new java.util.HashMap<>();
    reRated.collectAsList().forEach(row -> r.put(row.getAs("message_id"), row));
    Map<String, Row> before = new java.util.HashMap<>();
    lastNight.collectAsList().forEach(row -> before.put(row.getAs("message_id"), row));
    assertThat((Timestamp) r.get("late-delivery").getAs("delivered_at")).isEqualTo(RatingFixture.at("2026-11-04T12:00:00Z"));
    assertThat((Boolean) r.get("late-delivery").getAs("billable")).isTrue();
    // a quiet message moves in the tiers: u-2's v-4 and late-delivery were delivered before it
    assertThat((Long) r.get("u-5-0").getAs("tier_position")).isEqualTo((Long) before.get("u-5-0").getAs("tier_position") + 2);
    assertThat(s(r.get("svc-1001"), "pricing_type")).isEqualTo("regular");
    assertThat(s(r.get("svc-1000"), "pricing_type")).isEqualTo("free_customer_service");
  }

  @Test
  void storedRowsOfGroupsThatCannotCrossAThresholdAreKeptAndTheNightStillEqualsRatingEverything() {
    RatingFixture f = monthAcrossTheQuotaAndATier();
    f.message("late-delivery", "outbound", "2026-11-03T23:00:00Z", "b-in", "u-1", "IN", "template", "utility", null);
    // b-br: 3 utility templates from the 3rd, positions 0-2, below the tier at 3 whatever comes
    // b-utc: 4 from the 3rd to u-8, the 4th at position 3 (tier 3); a late one to u-7 tonight
    // moves them all one up, so u-8's quiet x-5 crosses into tier 3
    for (int day = 3; day <= 6; day++) {
      if (day < 6) {
        f.message("w-" + day, "outbound", String.format("2026-11-%02dT10:00:00Z", day), "b-br", "u-9", "IN", "template",
            "utility", null);
        f.delivered("w-" + day, String.format("2026-11-%02dT10:00:01Z", day));
      }
      f.message("x-" + day, "outbound", String.format("2026-11-%02dT10:00:00Z", day), "b-utc", "u-8", "IN", "template",
          "utility", null);
      f.delivered("x-" + day, String.format("2026-11-%02dT10:00:01Z", day));
    }
    Dataset<Row> lastNight = f.rated().persist();
    lastNight.count();

    f.message("x-late", "outbound", "2026-11-03T09:00:00Z", "b-utc", "u-7", "IN", "template", "utility", null);
    f.delivered("x-late", "2026-11-03T09:00:01Z");
    f.delivered("late-delivery", "2026-11-04T12:00:00Z");
    f.status("w-4", "read", "2026-11-04T11:00:00Z"); // read after its delivery: only read_at changes
    Dataset<Row> all = f.rated().persist();
    java.time.LocalDate from = java.time.LocalDate.parse("2026-11-03");
    Column beforeHorizon = col("sent_date").lt(lit(java.sql.Date.valueOf(from)));
    Stored last = Stored.from(lastNight, from);
    Dataset<Row> touched = touched("pn-b-utc", "u-7");
    Dataset<Row> arrivals = RatingFixture.df(java.util.List.of(
            org.apache.spark.sql.RowFactory.create("b-utc", "pn-b-utc", "template", "utility")),
        org.apache.spark.sql.types.StructType.fromDDL("business_id STRING, phone_number_id STRING, type STRING, template_category STRING"));
    Dataset<Row> receipts = RatingFixture.df(java.util.List.of(
        org.apache.spark.sql.RowFactory.create("late-delivery", "delivered", RatingFixture.at("2026-11-04T12:00:00Z")),
        org.apache.spark.sql.RowFactory.create("x-late", "delivered", RatingFixture.at("2026-11-03T09:00:01Z")),
        org.apache.spark.sql.RowFactory.create("w-4", "read", RatingFixture.at("2026-11-04T11:00:00Z"))),
        RatingFixture.STATUSES);
    Dataset<Row> tierOffsets = Tiering.offsets(MonthToDate.counters(last.settled()));
    Dataset<Row> quotaOffsets = ServiceQuota.offsets(MonthToDate.counters(last.settled()));
    java.util.List<String> months = java.util.List.of("2026-11");
    Dataset<Row> tierCrossings = ThresholdCrossings.tiers(last.rows(), arrivals, tierOffsets,
        RatingFixture.df(f.rateCard, RatingFixture.RATE_CARD), months);
    Dataset<Row> quotaCrossings = ThresholdCrossings.quota(last.rows(), arrivals, quotaOffsets, months);

    // b-in's utility count starts at 8 (above the tier at 3), b-br's 0..2 stay below it; b-utc's 0..4 straddle it;
    // pn-b-in's quota stands at 287 before the horizon, with 714 stored re-rated messages after it
    assertThat(tierCrossings.collectAsList()).extracting(r -> r.getString(0) + "/" + r.getString(1) + "/" + r.getString(2))
        .containsExactly("b-utc/India/utility");
    assertThat(quotaCrossings.collectAsList()).extracting(r -> r.getString(0)).containsExactly("pn-b-in");

    // quiet stored rows marked: a kept one comes back as stored, a re-rated one is priced again
    Column marked = col("message_id").isin("w-4", "w-5", "x-5", "u-5-0", "svc-0900");
    Dataset<Row> storedMarked = last.rows().withColumn("price",
        org.apache.spark.sql.functions.when(marked, lit(new BigDecimal("9.990000"))).otherwise(col("price")));
    Dataset<Row> reRated = reRate(f, new MessageRating.Horizon(from, last.carried(), tierOffsets, quotaOffsets, touched,
        storedMarked, receipts, tierCrossings, quotaCrossings, months));
    assertThat(price(reRated.where(col("message_id").equalTo("w-5")).first())).isEqualByComparingTo("9.99");
    Row w4 = reRated.where(col("message_id").equalTo("w-4")).first();
    assertThat(price(w4)).isEqualByComparingTo("9.99"); // kept, with tonight's read receipt
    assertThat((Timestamp) w4.getAs("read_at")).isEqualTo(RatingFixture.at("2026-11-04T11:00:00Z"));
    // a template of pn-b-in, whose quota may run out tonight, keeps its row (templates use no
    // quota, and its tier group cannot cross); a service message of it is priced again
    assertThat(price(reRated.where(col("message_id").equalTo("u-5-0")).first())).isEqualByComparingTo("9.99");
    assertThat(price(reRated.where(col("message_id").equalTo("svc-0900")).first())).isEqualByComparingTo("0");
    reRated = reRated.where(col("message_id").isin("w-4", "w-5", "u-5-0").unary_$bang());

    // the counts of a kept group are not worked out again: compare every column but them
    String[] priced = java.util.Arrays.stream(lastNight.columns())
        .filter(c -> !c.equals("tier_position") && !c.equals("service_quota_position")).toArray(String[]::new);
    Column[] cols = java.util.Arrays.stream(priced).map(c -> col(c)).toArray(Column[]::new);
    assertThat(reRated.select(cols).orderBy("message_id").collectAsList())
        .containsExactlyElementsOf(all.where(beforeHorizon.unary_$bang()).where(col("message_id").isin("w-4", "w-5", "u-5-0").unary_$bang())
            .select(cols).orderBy("message_id").collectAsList());
    // x-5 crossed into tier 3 in a quiet conversation, and was priced again
    assertThat((Long) lastNight.where(col("message_id").equalTo("x-5")).first().getAs("tier_from")).isZero();
    Row x5 = reRated.where(col("message_id").equalTo("x-5")).first();
    assertThat((Long) x5.getAs("tier_from")).isEqualTo(3L);
    assertThat(price(x5)).isEqualByComparingTo("0.0010");
  }

  /**
   * November for u-1 at b-in: 1,001 delivered service messages every 5 minutes from 2 Nov (the
   * free quota runs out on the 5th) and 4 utility templates a day on the 1st-6th, with utility
   * charged from its 4th message (illustrative tiers).
   */
  private static RatingFixture monthAcrossTheQuotaAndATier() {
    RatingFixture f = new RatingFixture();
    f.rate("India", "utility", "2025-07-01", 3, "0.0010");
    for (int i = 1; i <= 1001; i++) {
      String id = String.format("svc-%04d", i);
      String at = java.time.Instant.parse("2026-11-02T00:00:00Z").plusSeconds(300L * i).toString();
      f.message(id, "outbound", at, "b-in", "u-1", "IN", "text", null, null);
      f.delivered(id, at);
    }
    for (int day = 1; day <= 6; day++) {
      for (int hour = 0; hour < 24; hour += 6) {
        f.template("u-" + day + "-" + hour, String.format("2026-11-%02dT%02d:30:00Z", day, hour), "utility");
      }
    }
    return f;
  }

  /**
   * Last night's rated rows as a night re-rating from {@code from} sees them: the carried-over
   * message ids (sent before, delivered after), the settled rows behind the month-to-date counters,
   * and the stored rows it re-rates (sent from {@code from} on, or carried).
   */
  private record Stored(Dataset<Row> carried, Dataset<Row> settled, Dataset<Row> rows) {
    static Stored from(Dataset<Row> lastNight, java.time.LocalDate from) {
      Column beforeHorizon = col("sent_date").lt(lit(java.sql.Date.valueOf(from)));
      Column deliveredBefore = col("delivered_at").lt(lit(Timestamp.valueOf(from.atStartOfDay())));
      Dataset<Row> carried = lastNight.where(beforeHorizon.and(deliveredBefore.unary_$bang())).select("message_id");
      return new Stored(carried, lastNight.where(beforeHorizon.and(deliveredBefore)),
          lastNight.where(beforeHorizon.unary_$bang()).unionByName(lastNight.join(carried, "message_id", "left_semi")));
    }
  }

  /** The one conversation a night brought messages for. */
  private static Dataset<Row> touched(String phoneNumberId, String userKey) {
    return RatingFixture.df(java.util.List.of(org.apache.spark.sql.RowFactory.create(phoneNumberId, userKey)),
        org.apache.spark.sql.types.StructType.fromDDL("phone_number_id STRING, user_key STRING"));
  }

  /** Re-rates the fixture from the horizon, with the messages from its context on. */
  private static Dataset<Row> reRate(RatingFixture f, MessageRating.Horizon horizon) {
    Dataset<Row> recent = RatingFixture.df(f.messages, RatingFixture.MESSAGES).where(to_date(col("sent_at"))
        .geq(lit(java.sql.Date.valueOf(horizon.from().minusDays(MessageRating.CONTEXT_DAYS)))));
    return MessageRating.rate(recent, RatingFixture.df(f.statuses, RatingFixture.STATUSES),
        RatingFixture.df(f.businesses, RatingFixture.BUSINESSES), RatingFixture.df(f.markets, RatingFixture.MARKETS),
        RatingFixture.df(f.rateCard, RatingFixture.RATE_CARD), horizon);
  }
}
