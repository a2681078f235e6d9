package dev.chatledger.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A hand-written landing zone of two arrival nights (2026-11-02 and 2026-11-04) for business
 * b-7: prompts and an opt-in, a marketing template, then a late opt-in and an opt-out.
 */
final class TinyLanding {
  static final String FIRST_NIGHT = "2026-11-02";
  static final String SECOND_NIGHT = "2026-11-04";

  private static final String U1 = "+919812345678";
  private static final String U2 = "+919812345679";

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
    Path reference = Files.createDirectories(landing.resolve("reference"));
    Files.writeString(reference.resolve("markets.csv"), "country,market\nIN,India\n");
    Files.writeString(reference.resolve("rate_card.csv"),
        "market,category,currency,effective_from,tier_from,price\nIndia,marketing,USD,2025-07-01,0,0.0107\n");
    Files.writeString(reference.resolve("businesses.csv"),
        "business_id,name,country,timezone,vertical,account_type,verified,registered_at\n"
            + "b-7,Example Retail,IN,Asia/Kolkata,retail,api,true,2025-03-02T10:00:00Z\n");
    land(landing, "consents", "2026-11-02",
        consent("c-1", U1, "prompt", "2026-11-01T09:00:00.000Z"),
        consent("c-2", U2, "prompt", "2026-11-01T09:30:00.000Z"),
        consent("c-3", U1, "opt_in", "2026-11-01T10:00:00.000Z"));
    land(landing, "messages", "2026-11-02",
        "{\"event_id\":\"e-1\",\"message_id\":\"m-1\",\"direction\":\"outbound\",\"sent_at\":\"2026-11-01T12:00:00.000Z\","
            + "\"business_id\":\"b-7\",\"phone_number_id\":\"pn-7a\",\"user_phone\":\"" + U2 + "\",\"type\":\"template\","
            + "\"template\":{\"name\":\"offer\",\"category\":\"marketing\",\"language\":\"en_IN\"}}");
    // two days later: U2's opt-in of 2026-11-01 arrives late, and U1 opts out on the 3rd
    land(landing, "consents", "2026-11-04",
        consent("c-4", U2, "opt_in", "2026-11-01T11:00:00.000Z"),
        consent("c-5", U1, "opt_out", "2026-11-03T08:00:00.000Z"));

  }

  private TinyLanding() {}
}
