package dev.chatledger.jobs.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The rules of CONTRACT 4 and 7 for opt-in cohorts, the consent base, violations and usage,
 * each on a few hand-written rows with the expected figures worked out in the test.
 */
class AdoptionTest {

  private static long n(Row r, String column) {
    return r.<Long>getAs(column);
  }

  private static Double rate(Row r, String column) {
    return r.getAs(column);
  }

  @Test
  void optInExactlySevenDaysAfterThePromptCountsAndOneMillisecondLaterDoesNot() {
    AdoptionFixture f = new AdoptionFixture()
        .consent("u-1", "prompt", "2026-11-01T10:00:00Z")
        .consent("u-1", "opt_in", "2026-11-08T10:00:00Z") // exactly 7 days: counts
        .consent("u-2", "prompt", "2026-11-01T11:00:00Z")
        .consent("u-2", "opt_in", "2026-11-08T11:00:00.001Z"); // 7 days + 1 ms: does not
    Row cohort = f.cohorts("2026-11-08").get("2026-11-01|IN");
    assertThat(n(cohort, "prompted")).isEqualTo(2);
    assertThat(n(cohort, "opted_in")).isEqualTo(1);
    assertThat(rate(cohort, "optin_rate")).isEqualTo(0.5);
    assertThat(cohort.<Boolean>getAs("is_final")).isTrue(); // 2026-11-08 >= 2026-11-01 + 7
    assertThat(f.cohorts("2026-11-07").get("2026-11-01|IN").<Boolean>getAs("is_final")).isFalse();
  }

  @Test
  void optInBeforeThePromptDoesNotCount() {
    Row cohort = new AdoptionFixture()
        .consent("u-1", "opt_in", "2026-11-01T09:00:00Z")
        .consent("u-1", "prompt", "2026-11-01T10:00:00Z")
        .cohorts("2026-11-02").get("2026-11-01|IN");
    assertThat(n(cohort, "prompted")).isEqualTo(1);
    assertThat(n(cohort, "opted_in")).isZero();
    assertThat(rate(cohort, "optin_rate")).isEqualTo(0.0);
  }

  @Test
  void twoPromptsTheSameDayCountTheUserOnceAndOneOptInCountsInSeveralCohorts() {
    Map<String, Row> cohorts = new AdoptionFixture()
        .consent("u-1", "prompt", "2026-11-01T08:00:00Z")
        .consent("u-1", "prompt", "2026-11-01T20:00:00Z")
        .consent("u-1", "prompt", "2026-11-02T08:00:00Z")
        // 7 days and 7 h after the first prompt, within 7 days of the second and third
        .consent("u-1", "opt_in", "2026-11-08T15:00:00Z")
        .consent("u-1", "opt_out", "2026-11-09T00:00:00Z") // does not undo the opt-in
        .cohorts("2026-11-20");
    assertThat(n(cohorts.get("2026-11-01|IN"), "prompted")).isEqualTo(1);
    assertThat(n(cohorts.get("2026-11-01|IN"), "opted_in")).isEqualTo(1);
    assertThat(n(cohorts.get("2026-11-02|IN"), "opted_in")).isEqualTo(1);
  }

  @Test
  void blockThenUnblockRestoresAnEarlierOptIn() {
    AdoptionFixture f = new AdoptionFixture()
        .consent("u-1", "opt_in", "2026-11-01T10:00:00Z")
        .consent("u-1", "block", "2026-11-02T10:00:00Z")
        .consent("u-1", "unblock", "2026-11-03T10:00:00Z")
        .template("while-blocked", "u-1", "utility", "2026-11-02T12:00:00Z", null)
        .template("after-unblock", "u-1", "utility", "2026-11-03T12:00:00Z", null);
    Map<String, Row> days = f.consentDaily();
    assertThat(n(days.get("2026-11-01"), "active_optin_base")).isEqualTo(1);
    assertThat(n(days.get("2026-11-02"), "active_optin_base")).isZero();
    assertThat(n(days.get("2026-11-02"), "blocks")).isEqualTo(1);
    assertThat(n(days.get("2026-11-03"), "active_optin_base")).isEqualTo(1);
    assertThat(n(days.get("2026-11-03"), "unblocks")).isEqualTo(1);
    Map<String, Row> violations = f.violations();
    assertThat(violations).containsOnlyKeys("while-blocked");
    assertThat(violations.get("while-blocked").<String>getAs("reason")).isEqualTo("blocked");
  }

  @Test
  void optOutThenOptInIsActiveFromTheOptInInclusive() {
    AdoptionFixture f = new AdoptionFixture()
        .consent("u-1", "opt_in", "2026-11-01T08:00:00Z")
        .consent("u-1", "opt_out", "2026-11-01T10:00:00Z")
        .consent("u-1", "opt_in", "2026-11-01T11:00:00Z")
        .template("between", "u-1", "marketing", "2026-11-01T10:30:00Z", "2026-11-01T10:30:01Z")
        .template("at-opt-in", "u-1", "marketing", "2026-11-01T11:00:00Z", "2026-11-01T11:00:01Z");
    Row day = f.consentDaily().get("2026-11-01");
    assertThat(n(day, "opt_ins")).isEqualTo(2);
    assertThat(n(day, "opt_outs")).isEqualTo(1);
    assertThat(n(day, "active_optin_base")).isEqualTo(1);
    assertThat(f.violations()).containsOnlyKeys("between");
    assertThat(f.violations().get("between").<String>getAs("reason")).isEqualTo("no_active_opt_in");
  }

  @Test
  void eventsAtTheSameInstantAreOrderedByEventId() {
    String t = "2026-11-01T10:00:00Z";
    AdoptionFixture f = new AdoptionFixture()
        .consent("e-2", "u-1", "opt_in", t).consent("e-1", "u-1", "opt_out", t) // opt_out, then opt_in
        .consent("e-3", "u-2", "opt_in", t).consent("e-4", "u-2", "opt_out", t) // opt_in, then opt_out
        .template("to-u-1", "u-1", "utility", t, null)
        .template("to-u-2", "u-2", "utility", t, null);
    assertThat(n(f.consentDaily().get("2026-11-01"), "active_optin_base")).isEqualTo(1);
    assertThat(f.violations()).containsOnlyKeys("to-u-2");
  }

  @Test
  void aTemplateToAUserWhoOptedOutIsAViolationWhateverItsDelivery() {
    Map<String, Row> v = new AdoptionFixture()
        .consent("u-1", "opt_in", "2026-11-01T10:00:00Z")
        .consent("u-1", "opt_out", "2026-11-02T10:00:00Z")
        .template("before", "u-1", "marketing", "2026-11-01T12:00:00Z", "2026-11-01T12:00:01Z")
        .template("failed", "u-1", "marketing", "2026-11-03T12:00:00Z", null)
        .outbound("not-a-template", "b-1", "u-1", "text", null, "2026-11-03T12:00:00Z", null, null, "0")
        .violations();
    assertThat(v).containsOnlyKeys("failed");
    assertThat(v.get("failed").<String>getAs("category")).isEqualTo("marketing");
    assertThat(v.get("failed").<String>getAs("user_key")).isEqualTo("u-1");
  }

  @Test
  void aNightChecksTheTemplatesThatArrivedAndThePairsWithArrivedConsentAndKeepsThePublishedRest() {
    // as published: u-1 and u-2 had no opt-in, their templates of Nov 1 and Nov 4 were violations
    AdoptionFixture before = new AdoptionFixture()
        .template("t-1", "u-1", "marketing", "2026-11-01T12:00:00Z", null)
        .template("t-2", "u-2", "marketing", "2026-11-01T12:00:00Z", null)
        .template("t-4", "u-2", "marketing", "2026-11-04T08:00:00Z", null);
    // marked, to tell a kept row from a re-checked one
    org.apache.spark.sql.Dataset<Row> published = ConsentViolations.from(before.rated(), before.consents())
        .withColumn("reason", org.apache.spark.sql.functions.lit("as published"));
    // tonight: u-1's opt-in of Oct 31 arrives late; a template to u-2 is sent on Nov 5
    AdoptionFixture now = new AdoptionFixture()
        .consent("u-1", "opt_in", "2026-10-31T10:00:00Z")
        .template("t-1", "u-1", "marketing", "2026-11-01T12:00:00Z", null)
        .template("t-2", "u-2", "marketing", "2026-11-01T12:00:00Z", null)
        .template("t-4", "u-2", "marketing", "2026-11-04T08:00:00Z", null)
        .template("t-3", "u-2", "utility", "2026-11-05T09:00:00Z", null);
    Map<String, Row> night = AdoptionFixture.byKey(ConsentViolations.since(now.rated(), now.consents(), published,
        now.consents(), AdoptionFixture.messageIds("t-3"), java.time.LocalDate.parse("2026-11-04")), "message_id");
    Map<String, Row> full = now.violations();

    assertThat(night).containsOnlyKeys("t-2", "t-3", "t-4").containsOnlyKeys(full.keySet().toArray(new String[0]));
    assertThat(night.get("t-2").<String>getAs("reason")).isEqualTo("as published");
    // sent after the rating horizon but stored before tonight, with no consent event tonight: kept
    assertThat(night.get("t-4").<String>getAs("reason")).isEqualTo("as published");
    assertThat(night.get("t-3").<String>getAs("reason")).isEqualTo("no_active_opt_in");
  }

  @Test
  void lateOptOutsRecheckOldTemplatesAndLateOptInsAndUnblocksOnlyThePublishedViolations() {
    // as published: u-1 opted in, u-2 was blocked, u-3 never opted in
    AdoptionFixture before = publishedOctober();
    Dataset<Row> published = ConsentViolations.from(before.rated(), before.consents())
        .withColumn("reason", when(col("reason").equalTo("blocked"), lit("blocked")).otherwise(lit("as published")))
        .withColumn("market", lit("published row")); // tells a published row from a template read again
    assertThat(AdoptionFixture.byKey(published, "message_id")).containsOnlyKeys("u2-old", "u3-before", "u3-after");
    // tonight, weeks late: u-1's opt-out of Oct 15, u-2's unblock of Oct 18, u-3's opt-in of Oct 10
    AdoptionFixture now = publishedOctober()
        .consent("c-3", "u-1", "opt_out", "2026-10-15T10:00:00Z")
        .consent("c-4", "u-2", "unblock", "2026-10-18T10:00:00Z")
        .consent("c-5", "u-3", "opt_in", "2026-10-10T10:00:00Z");
    Dataset<Row> arrived = now.consents().where(col("event_id").isin("c-3", "c-4", "c-5"));
    Map<String, Row> night = AdoptionFixture.byKey(ConsentViolations.since(now.rated(), now.consents(), published,
        arrived, AdoptionFixture.messageIds(), java.time.LocalDate.parse("2026-11-01")), "message_id");

    // u1-old was read from the templates (an opt-out can add violations), u2-old's published row
    // was re-checked (still no opt-in: the reason changes), u3-after's went, u3-before's was kept
    assertThat(night).containsOnlyKeys(now.violations().keySet().toArray(new String[0]))
        .containsOnlyKeys("u1-old", "u2-old", "u3-before");
    assertThat(night.get("u1-old").<String>getAs("reason")).isEqualTo("no_active_opt_in");
    assertThat(night.get("u1-old").<String>getAs("market")).isNotEqualTo("published row");
    assertThat(night.get("u2-old").<String>getAs("reason")).isEqualTo("no_active_opt_in");
    assertThat(night.get("u2-old").<String>getAs("market")).isEqualTo("published row");
    assertThat(night.get("u3-before").<String>getAs("reason")).isEqualTo("as published");
  }

  /** The events and templates published before tonight's late consent events arrive. */
  private static AdoptionFixture publishedOctober() {
    return new AdoptionFixture()
        .consent("c-1", "u-1", "opt_in", "2026-10-01T10:00:00Z")
        .consent("c-2", "u-2", "block", "2026-10-01T10:00:00Z")
        .template("u1-old", "u-1", "marketing", "2026-10-20T12:00:00Z", null)
        .template("u2-old", "u-2", "marketing", "2026-10-20T12:00:00Z", null)
        .template("u3-before", "u-3", "utility", "2026-10-08T12:00:00Z", null)
        .template("u3-after", "u-3", "utility", "2026-10-12T12:00:00Z", null);
  }

  @Test
  void aUserKnownByABusinessScopedIdIsNotTheUserWhoOptedInByPhone() {
    // records are not linked across phone and user_id: they are two user keys
    Map<String, Row> v = new AdoptionFixture()
        .consent("key-of-phone", "opt_in", "2026-11-01T10:00:00Z")
        .template("to-phone", "key-of-phone", "utility", "2026-11-01T12:00:00Z", null)
        .template("to-user-id", "key-of-user-id", "utility", "2026-11-01T12:00:00Z", null)
        .violations();
    assertThat(v).containsOnlyKeys("to-user-id");
  }

  @Test
  void blockRateIsBlockingUsersOverMarketingRecipientsAndNullWithoutRecipients() {
    Map<String, Row> days = new AdoptionFixture()
        .consent("u-1", "opt_in", "2026-11-01T08:00:00Z")
        .consent("u-2", "opt_in", "2026-11-01T08:00:00Z")
        // 2026-11-02: two users got marketing (u-1 twice), u-1 blocked twice
        .template("m-1", "u-1", "marketing", "2026-11-02T09:00:00Z", "2026-11-02T09:00:01Z")
        .template("m-2", "u-1", "marketing", "2026-11-02T10:00:00Z", "2026-11-02T10:00:01Z")
        .template("m-3", "u-2", "marketing", "2026-11-02T09:00:00Z", "2026-11-02T09:00:01Z")
        .template("u-3", "u-2", "utility", "2026-11-02T09:00:00Z", "2026-11-02T09:00:01Z")
        // sent on the 2nd, delivered on the 3rd: a recipient of the 3rd
        .template("m-4", "u-2", "marketing", "2026-11-02T23:59:59Z", "2026-11-03T00:00:01Z")
        .consent("u-1", "block", "2026-11-02T11:00:00Z")
        .consent("u-1", "block", "2026-11-02T11:30:00Z")
        .consent("u-2", "block", "2026-11-04T11:00:00Z")
        .consentDaily();
    assertThat(n(days.get("2026-11-02"), "marketing_recipients")).isEqualTo(2);
    assertThat(n(days.get("2026-11-02"), "blocks")).isEqualTo(2);
    assertThat(n(days.get("2026-11-02"), "blocking_users")).isEqualTo(1);
    assertThat(rate(days.get("2026-11-02"), "block_rate")).isEqualTo(0.5);
    assertThat(n(days.get("2026-11-02"), "active_optin_base")).isEqualTo(1);
    // a day with only a delivered marketing template has a row, with the base carried forward
    assertThat(n(days.get("2026-11-03"), "marketing_recipients")).isEqualTo(1);
    assertThat(rate(days.get("2026-11-03"), "block_rate")).isEqualTo(0.0);
    assertThat(n(days.get("2026-11-03"), "active_optin_base")).isEqualTo(1);
    // a block without marketing recipients: no denominator, no rate
    assertThat(rate(days.get("2026-11-04"), "block_rate")).isNull();
    assertThat(n(days.get("2026-11-04"), "active_optin_base")).isZero();
    assertThat(days).containsOnlyKeys("2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04");
  }

  @Test
  void aNightTakesMarketingRecipientsBeforeItsRatingHorizonFromThePublishedDays() {
    AdoptionFixture f = new AdoptionFixture()
        .consent("u-1", "opt_in", "2026-11-01T08:00:00Z")
        .template("m-1", "u-1", "marketing", "2026-11-02T09:00:00Z", "2026-11-02T09:00:01Z")
        .template("m-2", "u-1", "marketing", "2026-11-03T09:00:00Z", "2026-11-03T09:00:01Z")
        .consent("u-1", "block", "2026-11-03T11:00:00Z");
    // as published, with a recipient count no recount would give: a kept figure is told apart
    org.apache.spark.sql.Dataset<Row> published = ConsentDaily.from(f.consents(), f.rated())
        .withColumn("marketing_recipients", org.apache.spark.sql.functions.lit(7L));
    Map<String, Row> night = AdoptionFixture.byKey(ConsentDaily.since(published, f.consents(),
        f.consents().limit(0), f.rated(), java.time.LocalDate.parse("2026-11-01"), java.time.LocalDate.parse("2026-11-03")),
        "date");
    Map<String, Row> full = f.consentDaily();

    assertThat(night.keySet()).isEqualTo(full.keySet());
    assertThat(n(night.get("2026-11-02"), "marketing_recipients")).isEqualTo(7);
    assertThat(n(night.get("2026-11-03"), "marketing_recipients")).isEqualTo(1);
    assertThat(rate(night.get("2026-11-03"), "block_rate")).isEqualTo(1.0);
    assertThat(n(night.get("2026-11-03"), "active_optin_base")).isZero();
    assertThat(n(night.get("2026-11-02"), "active_optin_base")).isEqualTo(1);
  }

  @Test
  void regionalRowsForADayWithInboundMessagesOnly() {
    Map<String, Row> rows = new AdoptionFixture()
        .inbound("i-1", "b-1", "u-1", "IN", "button_reply", "2026-11-05T08:00:00Z")
        .inbound("i-2", "b-1", "u-1", "IN", "list_reply", "2026-11-05T09:00:00Z")
        .inbound("i-3", "b-1", "u-2", "IN", "text", "2026-11-05T10:00:00Z")
        .inbound("i-4", "b-2", "u-9", "KE", "text", "2026-11-05T10:00:00Z") // Kenya: not in markets
        .regional();
    Row india = rows.get("2026-11-05|IN");
    assertThat(india.<String>getAs("market")).isEqualTo("India");
    assertThat(n(india, "active_businesses")).isEqualTo(1);
    assertThat(n(india, "active_users")).isEqualTo(2);
    assertThat(n(india, "inbound_messages")).isEqualTo(3);
    assertThat(n(india, "outbound_messages")).isZero();
    assertThat(rate(india, "interactive_share")).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(rate(india, "delivered_rate")).isNull();
    assertThat(rate(india, "read_rate")).isNull();
    assertThat(n(india, "billable_messages")).isZero();
    assertThat(india.<BigDecimal>getAs("revenue")).isEqualByComparingTo("0");
    assertThat(rows.get("2026-11-05|KE").<String>getAs("market")).isEqualTo("Other");
  }

  @Test
  void regionalRatesCountBySendDateAndRevenueByDeliveryDate() {
    Map<String, Row> rows = new AdoptionFixture()
        .outbound("o-1", "b-1", "u-1", "template", "marketing", "2026-11-05T08:00:00Z",
            "2026-11-05T08:00:01Z", "2026-11-05T08:05:00Z", "0.0107")
        .outbound("o-2", "b-1", "u-1", "template", "utility", "2026-11-05T09:00:00Z",
            "2026-11-05T09:00:01Z", null, "0.0014")
        .outbound("o-3", "b-1", "u-2", "template", "authentication", "2026-11-05T10:00:00Z", null, null, "0")
        .outbound("o-4", "b-1", "u-2", "text", null, "2026-11-05T23:59:59Z", "2026-11-06T00:00:01Z", null, "0")
        .outbound("o-5", "b-1", "u-2", "template", "marketing", "2026-11-05T23:59:59Z",
            "2026-11-06T00:00:02Z", "2026-11-06T00:10:00Z", "0.0107")
        .regional();
    Row sent = rows.get("2026-11-05|IN");
    assertThat(n(sent, "outbound_messages")).isEqualTo(5);
    assertThat(n(sent, "marketing_templates")).isEqualTo(2);
    assertThat(n(sent, "utility_templates")).isEqualTo(1);
    assertThat(n(sent, "authentication_templates")).isEqualTo(1);
    assertThat(rate(sent, "delivered_rate")).isEqualTo(4.0 / 5); // all but o-3
    assertThat(rate(sent, "read_rate")).isEqualTo(2.0 / 5); // o-1 and o-5
    assertThat(rate(sent, "interactive_share")).isNull(); // no inbound
    assertThat(n(sent, "billable_messages")).isEqualTo(2); // o-1, o-2 delivered on the 5th
    assertThat(sent.<BigDecimal>getAs("revenue")).isEqualByComparingTo("0.0121");
    Row delivered = rows.get("2026-11-06|IN"); // revenue only: a row with no messages
    assertThat(n(delivered, "outbound_messages")).isZero();
    assertThat(rate(delivered, "delivered_rate")).isNull();
    assertThat(n(delivered, "billable_messages")).isEqualTo(1);
    assertThat(delivered.<BigDecimal>getAs("revenue")).isEqualByComparingTo("0.0107");
  }

  @Test
  void businessUsageCountsNewBusinessesAndOnboardingTime() {
    Map<String, Row> rows = new AdoptionFixture()
        .business("b-1", "IN", "api", true, "2026-11-01T00:00:00Z")
        .business("b-2", "IN", "api", false, "2026-11-01T00:00:00Z")
        .business("b-3", "IN", "api", true, "2026-11-01T20:00:00Z")
        .business("b-4", "IN", "app", false, "2026-10-01T00:00:00Z")
        // b-1: first template 10 h after registering; b-2: 20 h; b-3: 40 h (registered the day before)
        .outbound("t-1", "b-1", "u-1", "template", "utility", "2026-11-01T10:00:00Z", null, null, "0")
        .outbound("t-2", "b-2", "u-1", "template", "utility", "2026-11-01T20:00:00Z", null, null, "0")
        .inbound("i-3", "b-3", "u-2", "IN", "text", "2026-11-01T21:00:00Z") // b-3's first message
        .outbound("t-3", "b-3", "u-2", "template", "marketing", "2026-11-03T12:00:00Z", "2026-11-03T12:00:01Z",
            null, "0.0107")
        .outbound("t-4", "b-1", "u-1", "text", null, "2026-11-03T13:00:00Z", null, null, "0")
        .inbound("i-4", "b-4", "u-3", "IN", "text", "2026-11-03T09:00:00Z")
        .businessUsage();
    Row nov1 = rows.get("2026-11-01|IN|api");
    assertThat(n(nov1, "active_businesses")).isEqualTo(3);
    assertThat(n(nov1, "new_businesses")).isEqualTo(3);
    assertThat(n(nov1, "templates")).isEqualTo(2);
    assertThat(n(nov1, "inbound_messages")).isEqualTo(1);
    assertThat(rate(nov1, "verified_share")).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(n(nov1, "onboarded_businesses")).isEqualTo(2);
    assertThat(rate(nov1, "onboarding_median_hours")).isEqualTo(15.0); // (10 + 20) / 2
    assertThat(rate(nov1, "onboarding_p90_hours")).isEqualTo(19.0); // 10 + 0.9 * (20 - 10)
    Row nov3 = rows.get("2026-11-03|IN|api");
    assertThat(n(nov3, "active_businesses")).isEqualTo(2);
    assertThat(n(nov3, "new_businesses")).isZero();
    assertThat(n(nov3, "onboarded_businesses")).isEqualTo(1);
    assertThat(rate(nov3, "onboarding_median_hours")).isEqualTo(40.0); // 2026-11-01T20:00 -> 11-03T12:00
    assertThat(nov3.<BigDecimal>getAs("revenue")).isEqualByComparingTo("0.0107");
    Row app = rows.get("2026-11-03|IN|app");
    assertThat(n(app, "new_businesses")).isEqualTo(1);
    assertThat(n(app, "onboarded_businesses")).isZero();
    assertThat(rate(app, "onboarding_median_hours")).isNull();
  }

  @Test
  void consentHistoryCompactedBeforeAHorizonKeepsTheBaseAndViolationsOfEveryLaterDay() {
    AdoptionFixture f = new AdoptionFixture()
        .consent("u-1", "opt_in", "2026-11-01T10:00:00Z")
        .consent("u-1", "block", "2026-11-02T10:00:00Z")
        .consent("u-2", "opt_in", "2026-11-02T11:00:00Z")
        .consent("u-2", "opt_out", "2026-11-03T09:00:00Z")
        .consent("u-3", "prompt", "2026-11-03T09:00:00Z")
        .consent("u-1", "unblock", "2026-11-05T10:00:00Z")
        .consent("u-3", "opt_in", "2026-11-05T12:00:00Z")
        .consent("u-2", "opt_in", "2026-11-06T12:00:00Z")
        .template("t-1", "u-1", "marketing", "2026-11-04T08:00:00Z", "2026-11-04T08:00:01Z") // blocked
        .template("t-2", "u-1", "marketing", "2026-11-05T11:00:00Z", "2026-11-05T11:00:01Z") // active again
        .template("t-3", "u-2", "utility", "2026-11-05T11:00:00Z", null) // opted out
        .template("t-4", "u-3", "utility", "2026-11-06T11:00:00Z", "2026-11-06T11:00:01Z");
    java.time.LocalDate from = java.time.LocalDate.parse("2026-11-04");
    org.apache.spark.sql.Column since = org.apache.spark.sql.functions.col("date")
        .geq(org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(from)));
    org.apache.spark.sql.Dataset<Row> compacted = dev.chatledger.jobs.silver.consent.ConsentState.since(f.consents(), from);
    assertThat(compacted.count()).isEqualTo(6); // before the horizon: u-1 opt_in and block, u-2 opt_out

    java.util.List<Row> all = ConsentDaily.from(f.consents(), f.rated()).where(since).orderBy("date").collectAsList();
    java.util.List<Row> fromHorizon = ConsentDaily.from(compacted, f.rated()).where(since).orderBy("date").collectAsList();
    assertThat(fromHorizon).containsExactlyElementsOf(all);
    assertThat(all).extracting(r -> r.get(r.fieldIndex("date")).toString() + "=" + r.getAs("active_optin_base"))
        .containsExactly("2026-11-04=0", "2026-11-05=2", "2026-11-06=3");
    assertThat(ConsentViolations.from(f.rated(), compacted).orderBy("message_id").collectAsList())
        .containsExactlyElementsOf(ConsentViolations.from(f.rated(), f.consents()).orderBy("message_id").collectAsList())
        .extracting(r -> r.<String>getAs("message_id")).containsExactly("t-1", "t-3");
  }

  /** The consent events of {@code f} whose event id is listed: a night's arrivals. */
  private static org.apache.spark.sql.Dataset<Row> arrived(AdoptionFixture f, String... eventIds) {
    return f.consents().where(org.apache.spark.sql.functions.col("event_id").isin((Object[]) eventIds));
  }

  /** Every row of a day-keyed table from {@code from} on, as strings, in key order. */
  private static java.util.List<String> rowsFrom(org.apache.spark.sql.Dataset<Row> table, String dateColumn,
      String from, String order) {
    return table.where(org.apache.spark.sql.functions.col(dateColumn).geq(org.apache.spark.sql.functions.lit(
            java.sql.Date.valueOf(from)))).orderBy(order).collectAsList().stream().map(Row::toString).toList();
  }

  /** Before tonight: u-1 and u-2 opted in, u-3 was prompted; the base of Nov 2 is 2. */
  private static AdoptionFixture publishedConsents() {
    return new AdoptionFixture()
        .consent("c-01", "u-1", "opt_in", "2026-11-01T10:00:00Z")
        .consent("c-02", "u-2", "opt_in", "2026-11-02T10:00:00Z")
        .consent("c-03", "u-3", "prompt", "2026-11-03T09:00:00Z")
        .consent("c-04", "u-5", "prompt", "2026-11-04T09:00:00Z")
        .template("m-1", "u-1", "marketing", "2026-11-04T09:00:00Z", "2026-11-04T09:00:01Z")
        .template("m-2", "u-2", "marketing", "2026-11-05T09:00:00Z", "2026-11-05T09:00:01Z");
  }

  /** Tonight, late: u-1 blocked on Nov 3, u-4 (new) opted in on Nov 2, u-3 opted in on Nov 6, u-2 opted out on Nov 7. */
  private static AdoptionFixture withTonight(AdoptionFixture f) {
    return f.consent("n-1", "u-1", "block", "2026-11-03T12:00:00Z")
        .consent("n-2", "u-4", "opt_in", "2026-11-02T08:00:00Z")
        .consent("n-3", "u-3", "opt_in", "2026-11-06T08:00:00Z")
        .consent("n-4", "u-2", "opt_out", "2026-11-07T08:00:00Z");
  }

  @Test
  void aNightAddsToThePublishedDaysTheChangeOfThePairsWhoseConsentArrived() {
    org.apache.spark.sql.Dataset<Row> published = ConsentDaily.from(publishedConsents().consents(), publishedConsents().rated());
    AdoptionFixture now = withTonight(publishedConsents());
    java.time.LocalDate horizon = java.time.LocalDate.parse("2026-11-02");
    java.time.LocalDate rerated = java.time.LocalDate.parse("2026-11-05");
    // the night's history: compacted before its horizon, as silver.consent_state gives it
    org.apache.spark.sql.Dataset<Row> history = dev.chatledger.jobs.silver.consent.ConsentState.since(now.consents(), horizon);
    org.apache.spark.sql.Dataset<Row> tonight = arrived(now, "n-1", "n-2", "n-3", "n-4");
    org.apache.spark.sql.Dataset<Row> night = ConsentDaily.since(published, history, tonight,
        now.rated().where("revenue_date >= DATE'2026-11-05'"), horizon, rerated);

    java.util.List<String> full = rowsFrom(ConsentDaily.from(now.consents(), now.rated()), "date", "2026-11-02", "date");
    assertThat(rowsFrom(night, "date", "2026-11-02", "date")).containsExactlyElementsOf(full);
    Map<String, Row> days = AdoptionFixture.byKey(night, "date");
    // Nov 2: u-1, u-2 and u-4; Nov 3: u-1 blocked; Nov 6: u-3 opted in; Nov 7: u-2 opted out (a day with no row before)
    assertThat(days).containsOnlyKeys("2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-07");
    assertThat(days.values()).extracting(r -> r.get(r.fieldIndex("date")) + "=" + r.getAs("active_optin_base"))
        .containsExactlyInAnyOrder("2026-11-02=3", "2026-11-03=2", "2026-11-04=2", "2026-11-05=2", "2026-11-06=3",
            "2026-11-07=2");
    assertThat(n(days.get("2026-11-03"), "blocking_users")).isEqualTo(1);

    // re-run: the publication holds tonight's events, none arrived since: the published days stay
    org.apache.spark.sql.Dataset<Row> rerun = ConsentDaily.since(ConsentDaily.from(now.consents(), now.rated()), history,
        tonight.limit(0), now.rated().where("revenue_date >= DATE'2026-11-05'"), horizon, rerated);
    assertThat(rowsFrom(rerun, "date", "2026-11-02", "date")).containsExactlyElementsOf(full);
  }

  @Test
  void bothConsentTablesOfANightReadTheHistoryOnceForTheirPairsOnly() {
    AdoptionFixture before = publishedConsents();
    Dataset<Row> publishedDaily = ConsentDaily.from(before.consents(), before.rated());
    Dataset<Row> publishedViolations = ConsentViolations.from(before.rated(), before.consents());
    // tonight: the late events of u-1..u-4 and a marketing template to u-6, who never opted in;
    // u-5 (a prompt, published) has neither an event nor a template tonight
    AdoptionFixture now = withTonight(publishedConsents())
        .template("m-3", "u-6", "marketing", "2026-11-07T09:00:00Z", null);
    java.time.LocalDate horizon = java.time.LocalDate.parse("2026-11-02");
    java.time.LocalDate rerated = java.time.LocalDate.parse("2026-11-05");
    Dataset<Row> tonight = arrived(now, "n-1", "n-2", "n-3", "n-4");
    Dataset<Row> history = dev.chatledger.jobs.silver.consent.ConsentState.since(now.consents(), horizon);

    ConsentViolations.Check check = ConsentViolations.check(now.rated().where("sent_date >= DATE'2026-11-02'"),
        publishedViolations.where("sent_date >= DATE'2026-11-02'"), tonight, AdoptionFixture.messageIds("m-3"), horizon);
    Dataset<Row> read = dev.chatledger.jobs.silver.consent.ConsentState.ofPairsIn(
        dev.chatledger.jobs.silver.consent.ConsentState.deciding(history),
        tonight.select("business_id", "user_key").unionByName(check.pairs()));

    // the arrived events' pairs and the checked templates' (u-6 has no event): not u-5's prompt
    assertThat(read.columns()).containsExactly("business_id", "user_key", "event_id", "action", "occurred_at");
    assertThat(read.select("user_key").distinct().collectAsList()).extracting(r -> r.getString(0))
        .containsExactlyInAnyOrder("u-1", "u-2", "u-3", "u-4");
    // and from those few events both tables equal one derivation over every event
    assertThat(rowsFrom(check.against(read), "sent_date", "2026-11-02", "message_id"))
        .containsExactlyElementsOf(rowsFrom(ConsentViolations.from(now.rated(), now.consents()), "sent_date", "2026-11-02",
            "message_id"))
        .anyMatch(r -> r.contains("m-3") && r.contains("no_active_opt_in"))
        .anyMatch(r -> r.contains("m-1") && r.contains("blocked"));
    assertThat(rowsFrom(ConsentDaily.since(publishedDaily, read, tonight,
            now.rated().where("revenue_date >= DATE'2026-11-05'"), horizon, rerated), "date", "2026-11-02", "date"))
        .containsExactlyElementsOf(rowsFrom(ConsentDaily.from(now.consents(), now.rated()), "date", "2026-11-02", "date"));
  }

  @Test
  void aNightAddsToThePublishedCohortsTheChangeOfThePairsWhoseConsentArrived() {
    java.time.LocalDate run = java.time.LocalDate.parse("2026-11-08");
    org.apache.spark.sql.Dataset<Row> published = OptInCohorts.from(publishedConsents().consents(),
        java.time.LocalDate.parse("2026-11-07"));
    AdoptionFixture now = withTonight(publishedConsents()).consent("n-5", "u-6", "prompt", "2026-11-04T10:00:00Z");
    java.time.LocalDate horizon = java.time.LocalDate.parse("2026-11-01");
    org.apache.spark.sql.Dataset<Row> night = OptInCohorts.since(published, now.consents(),
        arrived(now, "n-1", "n-2", "n-3", "n-4", "n-5"), run, horizon);

    java.util.List<String> full = rowsFrom(OptInCohorts.from(now.consents(), run), "prompt_date", "2026-11-01", "prompt_date");
    assertThat(rowsFrom(night, "prompt_date", "2026-11-01", "prompt_date")).containsExactlyElementsOf(full);
    Map<String, Row> cohorts = AdoptionFixture.byKey(night, "prompt_date");
    // Nov 3: u-3 prompted, opted in on Nov 6 (late); Nov 4: u-5 and u-6 prompted, neither opted in
    assertThat(n(cohorts.get("2026-11-03"), "opted_in")).isEqualTo(1);
    assertThat(n(cohorts.get("2026-11-04"), "prompted")).isEqualTo(2);
    assertThat(cohorts.get("2026-11-03").<Boolean>getAs("is_final")).isFalse();
  }
}
