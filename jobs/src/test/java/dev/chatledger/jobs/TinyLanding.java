package dev.chatledger.jobs;

import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.ops.DataQuality;
import dev.chatledger.jobs.tables.Warehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Hand-written landing zones for business b-7: two arrival nights (2026-11-02 and 2026-11-04),
 * prompts and an opt-in, a marketing template, then a late opt-in and an opt-out; four nights
 * over the consent state's days ({@link #stateNights}); and three of late billing lines
 * ({@link #billingNights}).
 */
final class TinyLanding {
  static final String FIRST_NIGHT = "2026-11-02";
  static final String SECOND_NIGHT = "2026-11-04";

  private static final String U1 = "+919812345678";
  private static final String U2 = "+919812345679";
  private static final String U3 = "+919812345680";

  private static void land(Path landing, String feed, String dt, String... lines) throws IOException {
    Path folder = landing.resolve(feed).resolve("dt=" + dt);
    Files.createDirectories(folder);
    Files.write(folder.resolve("part-0.jsonl"), List.of(lines));
  }

  private static String consent(String id, String phone, String action, String at) {
    return "{\"event_id\":\"" + id + "\",\"business_id\":\"b-7\",\"user_phone\":\"" + phone + "\",\"action\":\""
        + action + "\",\"source\":\"website\",\"occurred_at\":\"" + at + "\"}";
  }

  static void twoNights(Path landing) throws IOException {
    reference(landing);
    land(landing, "consents", "2026-11-02",
        consent("c-1", U1, "prompt", "2026-11-01T09:00:00.000Z"),
        consent("c-2", U2, "prompt", "2026-11-01T09:30:00.000Z"),
        consent("c-3", U1, "opt_in", "2026-11-01T10:00:00.000Z"));
    land(landing, "messages", "2026-11-02", template("m-1", U2, "2026-11-01T12:00:00.000Z"));
    // two days later: U2's opt-in of 2026-11-01 arrives late, and U1 opts out on the 3rd
    land(landing, "consents", "2026-11-04",
        consent("c-4", U2, "opt_in", "2026-11-01T11:00:00.000Z"),
        consent("c-5", U1, "opt_out", "2026-11-03T08:00:00.000Z"));
  }

  /** The arrival nights of {@link #stateNights}, in order. */
  static final List<String> STATE_NIGHTS = List.of("2026-09-02", "2026-10-20", "2026-10-21", "2026-10-22");

  /**
   * Four nights over more than the consent state's 40 days, for business b-7: on the second the
   * state first sums up events (those before 2026-09-10), on the third it moves a day, and the
   * fourth brings an opt-in older than the state (it is rebuilt from every event).
   */
  static void stateNights(Path landing) throws IOException {
    reference(landing);
    land(landing, "consents", "2026-09-02",
        consent("s-1", U1, "prompt", "2026-09-01T09:00:00.000Z"),
        consent("s-2", U1, "opt_in", "2026-09-01T10:00:00.000Z"),
        consent("s-3", U2, "prompt", "2026-09-01T09:30:00.000Z"));
    land(landing, "messages", "2026-09-02", template("sm-1", U2, "2026-09-01T12:00:00.000Z"));
    land(landing, "consents", "2026-10-20", consent("s-4", U1, "opt_out", "2026-10-19T08:00:00.000Z"));
    land(landing, "messages", "2026-10-20", template("sm-2", U1, "2026-10-19T12:00:00.000Z"),
        template("sm-3", U2, "2026-10-19T13:00:00.000Z"));
    land(landing, "consents", "2026-10-21", consent("s-5", U2, "opt_in", "2026-10-20T09:00:00.000Z"),
        consent("s-6", U3, "opt_in", "2026-10-20T09:10:00.000Z"), consent("s-7", U3, "block", "2026-10-20T10:00:00.000Z"));
    land(landing, "messages", "2026-10-21", template("sm-4", U2, "2026-10-20T12:00:00.000Z"),
        template("sm-5", U3, "2026-10-20T13:00:00.000Z"));
    // U2's opt-in of 2026-09-01, before sm-1, imported seven weeks late
    land(landing, "consents", "2026-10-22", consent("s-8", U2, "opt_in", "2026-09-01T11:00:00.000Z"),
        consent("s-9", U1, "opt_in", "2026-10-21T08:00:00.000Z"));
    land(landing, "messages", "2026-10-22", template("sm-6", U1, "2026-10-21T12:00:00.000Z"));
  }

  /** The arrival nights of {@link #billingNights}, in order. */
  static final List<String> BILLING_NIGHTS = List.of("2026-11-21", "2026-11-22", "2026-11-24", "2026-11-28");

  /**
   * Three nights of billing lines that land after their messages, for business b-7. The first
   * night is CONTRACT 8's example (m-2 is free, m-3 a failed service message) plus m-4, a template
   * that is never delivered. The second brings the contract's charge for m-2 (billed the day after
   * m-2's delivery, so it dates nothing before that night), one for m-4 and one for a message that
   * never arrives. The third brings a new template, m-5, delivered and charged. The fourth
   * brings nothing: the statuses that landed a week before it are counted as orphans, one of
   * them (s-9, of a message that never arrives).
   */
  static void billingNights(Path landing) throws IOException {
    reference(landing);
    land(landing, "messages", "2026-11-21",
        "{\"event_id\":\"e-1\",\"message_id\":\"m-1\",\"direction\":\"inbound\",\"sent_at\":\"2026-11-21T08:00:00.000Z\","
            + "\"business_id\":\"b-7\",\"phone_number_id\":\"pn-7a\",\"user_phone\":\"" + U1 + "\",\"type\":\"text\","
            + "\"referral\":{\"source_type\":\"ad\",\"source_id\":\"ad-55\"}}",
        "{\"event_id\":\"e-2\",\"message_id\":\"m-2\",\"direction\":\"outbound\",\"sent_at\":\"2026-11-21T08:05:00.000Z\","
            + "\"business_id\":\"b-7\",\"phone_number_id\":\"pn-7a\",\"user_phone\":\"" + U1 + "\",\"type\":\"template\","
            + "\"template\":{\"name\":\"order_shipped\",\"category\":\"utility\",\"language\":\"en_IN\"}}",
        "{\"event_id\":\"e-3\",\"message_id\":\"m-3\",\"direction\":\"outbound\",\"sent_at\":\"2026-11-21T09:00:00.000Z\","
            + "\"business_id\":\"b-7\",\"phone_number_id\":\"pn-7a\",\"user_id\":\"BR.1502576394655843\",\"type\":\"text\"}",
        template("m-4", U2, "2026-11-21T10:00:00.000Z"));
    land(landing, "statuses", "2026-11-21",
        status("s-1", "m-2", "delivered", "2026-11-21T08:05:02.000Z"),
        "{\"event_id\":\"s-2\",\"message_id\":\"m-3\",\"status\":\"failed\",\"status_at\":\"2026-11-21T09:00:01.000Z\","
            + "\"error_code\":131047}",
        status("s-9", "m-999", "delivered", "2026-11-21T10:00:02.000Z"));
    land(landing, "billing", "2026-11-22",
        charge("bl-1", "m-2", "utility", "0.0014", "2026-11-22T00:00:05.000Z"),
        charge("bl-4", "m-4", "marketing", "0.0107", "2026-11-22T01:00:00.000Z"),
        charge("bl-404", "m-404", "marketing", "0.0107", "2026-11-22T02:00:00.000Z"));
    land(landing, "messages", "2026-11-24", template("m-5", U2, "2026-11-23T09:00:00.000Z"));
    land(landing, "statuses", "2026-11-24", status("s-5", "m-5", "delivered", "2026-11-23T09:00:02.000Z"));
    land(landing, "billing", "2026-11-24", charge("bl-5", "m-5", "marketing", "0.0107", "2026-11-23T10:00:00.000Z"));
  }

  private static String status(String id, String messageId, String status, String at) {
    return "{\"event_id\":\"" + id + "\",\"message_id\":\"" + messageId + "\",\"status\":\"" + status
        + "\",\"status_at\":\"" + at + "\"}";
  }

  private static String charge(String id, String messageId, String category, String amount, String at) {
    return "{\"billing_event_id\":\"" + id + "\",\"message_id\":\"" + messageId + "\",\"business_id\":\"b-7\","
        + "\"kind\":\"charge\",\"category\":\"" + category + "\",\"pricing_type\":\"regular\",\"amount\":\""
        + amount + "\",\"currency\":\"USD\",\"billed_at\":\"" + at + "\"}";
  }

  private static String template(String id, String phone, String sentAt) {
    return "{\"event_id\":\"e-" + id + "\",\"message_id\":\"" + id + "\",\"direction\":\"outbound\",\"sent_at\":\""
        + sentAt + "\",\"business_id\":\"b-7\",\"phone_number_id\":\"pn-7a\",\"user_phone\":\"" + phone
        + "\",\"type\":\"template\",\"template\":{\"name\":\"offer\",\"category\":\"marketing\",\"language\":\"en_IN\"}}";
  }

  private static void reference(Path landing) throws IOException {
    Path reference = Files.createDirectories(landing.resolve("reference"));
    Files.writeString(reference.resolve("markets.csv"), "country,market\nIN,India\n");
    Files.writeString(reference.resolve("rate_card.csv"),
        "market,category,currency,effective_from,tier_from,price\nIndia,marketing,USD,2025-07-01,0,0.0107\n");
    Files.writeString(reference.resolve("businesses.csv"),
        "business_id,name,country,timezone,vertical,account_type,verified,registered_at\n"
            + "b-7,Example Retail,IN,Asia/Kolkata,retail,api,true,2025-03-02T10:00:00Z\n");
  }

  /** The nightly job over a tiny landing zone, where a feed that lands nothing on a night only warns. */
  static NightlyJob nightlyJob(Warehouse warehouse, Path landing) {
    return new NightlyJob(warehouse, landing.toString(), HmacKey.resolve(null, true))
        .withQualityThresholds(DataQuality.Thresholds.defaults().with("feed_empty", 0.0, null));
  }

  private TinyLanding() {}
}
