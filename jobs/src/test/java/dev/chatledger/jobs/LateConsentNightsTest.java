package dev.chatledger.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consent event that lands days late changes an earlier day's opt-in base and cohort on the
 * night it lands, through the real nightly job on hand-written landing files.
 */
class LateConsentNightsTest extends SparkTestSupport {
  private static final String U1 = "+919812345678";
  private static final String U2 = "+919812345679";

  @TempDir Path dir;

  private void land(String feed, String dt, String... lines) throws IOException {
    Path folder = dir.resolve("landing").resolve(feed).resolve("dt=" + dt);
    Files.createDirectories(folder);
    Files.write(folder.resolve("part-0.jsonl"), List.of(lines));
  }

  private static String consent(String id, String phone, String action, String at) {
    return "{\"event_id\":\"" + id + "\",\"business_id\":\"b-7\",\"user_phone\":\"" + phone + "\",\"action\":\""
        + action + "\",\"source\":\"website\",\"occurred_at\":\"" + at + "\"}";
  }

  private Row row(Warehouse w, Table t, String where) {
    List<Row> rows = w.read(t).where(where).collectAsList();
    assertThat(rows).as(t.qualifiedName() + " where " + where).hasSize(1);
    return rows.get(0);
  }

  @Test
  void aLateConsentEventChangesAnEarlierDaysBaseAndCohort() throws IOException {
    Path reference = Files.createDirectories(dir.resolve("landing/reference"));
    Files.writeString(reference.resolve("markets.csv"), "country,market\nIN,India\n");
    Files.writeString(reference.resolve("rate_card.csv"),
        "market,category,currency,effective_from,tier_from,price\nIndia,marketing,USD,2025-07-01,0,0.0107\n");
    Files.writeString(reference.resolve("businesses.csv"),
        "business_id,name,country,timezone,vertical,account_type,verified,registered_at\n"
            + "b-7,Example Retail,IN,Asia/Kolkata,retail,api,true,2025-03-02T10:00:00Z\n");
    land("consents", "2026-11-02",
        consent("c-1", U1, "prompt", "2026-11-01T09:00:00.000Z"),
        consent("c-2", U2, "prompt", "2026-11-01T09:30:00.000Z"),
        consent("c-3", U1, "opt_in", "2026-11-01T10:00:00.000Z"));
    land("messages", "2026-11-02",
        "{\"event_id\":\"e-1\",\"message_id\":\"m-1\",\"direction\":\"outbound\",\"sent_at\":\"2026-11-01T12:00:00.000Z\","
            + "\"business_id\":\"b-7\",\"phone_number_id\":\"pn-7a\",\"user_phone\":\"" + U2 + "\",\"type\":\"template\","
            + "\"template\":{\"name\":\"offer\",\"category\":\"marketing\",\"language\":\"en_IN\"}}");
    // two days later: U2's opt-in of 2026-11-01 arrives late, and U1 opts out on the 3rd
    land("consents", "2026-11-04",
        consent("c-4", U2, "opt_in", "2026-11-01T11:00:00.000Z"),
        consent("c-5", U1, "opt_out", "2026-11-03T08:00:00.000Z"));

    Warehouse w = Warehouse.open(SPARK, dir.resolve("warehouse").toString());
    NightlyJob job = new NightlyJob(w, dir.resolve("landing").toString(), HmacKey.resolve(null, true));

    job.run(LocalDate.parse("2026-11-02"));
    Row cohort = row(w, Table.GOLD_OPTIN_COHORTS, "prompt_date = DATE'2026-11-01'");
    assertThat(cohort.<Long>getAs("prompted")).isEqualTo(2);
    assertThat(cohort.<Long>getAs("opted_in")).isEqualTo(1);
    assertThat(cohort.<Boolean>getAs("is_final")).isFalse();
    assertThat(row(w, Table.GOLD_CONSENT_DAILY, "date = DATE'2026-11-01'").<Long>getAs("active_optin_base")).isEqualTo(1);
    // U2 had no opt-in when m-1 was sent at 12:00... as far as this night knows
    assertThat(w.read(Table.GOLD_CONSENT_VIOLATIONS).count()).isEqualTo(1);

    job.run(LocalDate.parse("2026-11-04"));
    cohort = row(w, Table.GOLD_OPTIN_COHORTS, "prompt_date = DATE'2026-11-01'");
    assertThat(cohort.<Long>getAs("opted_in")).isEqualTo(2);
    assertThat(cohort.<Double>getAs("optin_rate")).isEqualTo(1.0);
    Row nov1 = row(w, Table.GOLD_CONSENT_DAILY, "date = DATE'2026-11-01'");
    assertThat(nov1.<Long>getAs("opt_ins")).isEqualTo(2);
    assertThat(nov1.<Long>getAs("active_optin_base")).isEqualTo(2);
    Row nov3 = row(w, Table.GOLD_CONSENT_DAILY, "date = DATE'2026-11-03'");
    assertThat(nov3.<Long>getAs("opt_outs")).isEqualTo(1);
    assertThat(nov3.<Long>getAs("active_optin_base")).isEqualTo(1);
    // the late opt-in (11:00) came before m-1 (12:00): no violation any more
    assertThat(w.read(Table.GOLD_CONSENT_VIOLATIONS).count()).isZero();
  }
}
