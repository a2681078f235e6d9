package dev.chatledger.jobs.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.datasets.contract.Feed;
import dev.chatledger.jobs.SparkTestSupport;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class LineParserTest extends SparkTestSupport {
  private static final String OK_MESSAGE =
      "{\"event_id\":\"e-2\",\"message_id\":\"m-2\",\"direction\":\"outbound\",\"sent_at\":\"2026-11-21T08:05:00.000Z\","
          + "\"business_id\":\"b-7\",\"phone_number_id\":\"pn-7a\",\"user_phone\":\"+919812345678\",\"type\":\"template\","
          + "\"template\":{\"name\":\"order_shipped\",\"category\":\"utility\",\"language\":\"en_IN\"}}";

  private static String reason(Feed feed, String line) {
    List<Row> rows = LineParser.parse(landed("2026-11-21", "f.jsonl", line), feed)
        .select(LineParser.REASON).collectAsList();
    return rows.get(0).getString(0);
  }

  private static String message(String replace, String with) {
    assertThat(OK_MESSAGE).contains(replace);
    return OK_MESSAGE.replace(replace, with);
  }

  @Test
  void aValidMessageParsesToTypedColumns() {
    Row r = LineParser.parse(landed("2026-11-21", "f.jsonl", OK_MESSAGE), Feed.MESSAGES).first();
    assertThat((String) r.getAs(LineParser.REASON)).isNull();
    assertThat((Timestamp) r.getAs("sent_at")).isEqualTo(Timestamp.from(Instant.parse("2026-11-21T08:05:00Z")));
    assertThat((String) r.getAs("template_category")).isEqualTo("utility");
    assertThat((String) r.getAs("phone_region")).isEqualTo("IN");
  }

  @Test
  void invalidJson() {
    assertThat(reason(Feed.MESSAGES, OK_MESSAGE.substring(0, 40))).isEqualTo("invalid_json");
    assertThat(reason(Feed.MESSAGES, "[1,2]")).isEqualTo("invalid_json"); // JSON, not an object
  }

  @Test
  void missingField() {
    assertThat(reason(Feed.MESSAGES, message("\"business_id\":\"b-7\",", ""))).isEqualTo("missing_field");
    assertThat(reason(Feed.MESSAGES, message("\"business_id\":\"b-7\"", "\"business_id\":null"))).isEqualTo("missing_field");
    // neither user_phone nor user_id
    assertThat(reason(Feed.MESSAGES, message("\"user_phone\":\"+919812345678\",", ""))).isEqualTo("missing_field");
    // an outbound template without its template object
    assertThat(reason(Feed.MESSAGES, message(
        ",\"template\":{\"name\":\"order_shipped\",\"category\":\"utility\",\"language\":\"en_IN\"}", "")))
        .isEqualTo("missing_field");
  }

  @Test
  void wrongType() {
    assertThat(reason(Feed.MESSAGES, message("\"sent_at\":\"2026-11-21T08:05:00.000Z\"", "\"sent_at\":1763712300")))
        .isEqualTo("wrong_type");
    assertThat(reason(Feed.STATUSES, "{\"event_id\":\"s-2\",\"message_id\":\"m-3\",\"status\":\"failed\","
        + "\"status_at\":\"2026-11-21T09:00:01.000Z\",\"error_code\":\"131047\"}")).isEqualTo("wrong_type");
  }

  @Test
  void unknownEnum() {
    assertThat(reason(Feed.MESSAGES, message("\"direction\":\"outbound\"", "\"direction\":\"sideways\"")))
        .isEqualTo("unknown_enum");
    // an inbound template is not a thing
    assertThat(reason(Feed.MESSAGES, message("\"direction\":\"outbound\"", "\"direction\":\"inbound\"")))
        .isEqualTo("unknown_enum");
    assertThat(reason(Feed.BILLING, billing("0.0014").replace("USD", "EUR"))).isEqualTo("unknown_enum");
  }

  @Test
  void badTimestamp() {
    // no zone
    assertThat(reason(Feed.MESSAGES, message("08:05:00.000Z", "08:05:00.000"))).isEqualTo("bad_timestamp");
    // an impossible date
    assertThat(reason(Feed.MESSAGES, message("2026-11-21T08", "2026-02-30T08"))).isEqualTo("bad_timestamp");
    // an offset is fine
    assertThat(reason(Feed.MESSAGES, message("08:05:00.000Z", "13:35:00.000+05:30"))).isNull();
  }

  @Test
  void invalidPhoneEvenWithAUserId() {
    assertThat(reason(Feed.MESSAGES, message("\"user_phone\":\"+919812345678\"",
        "\"user_phone\":\"+91 98123 45678\",\"user_id\":\"IN.123456789\""))).isEqualTo("invalid_phone");
  }

  @Test
  void invalidUserId() {
    assertThat(reason(Feed.CONSENTS, "{\"event_id\":\"c-1\",\"business_id\":\"b-7\",\"user_id\":\"XQ.1502576394655843\","
        + "\"action\":\"opt_in\",\"occurred_at\":\"2026-11-20T22:10:00.000Z\"}")).isEqualTo("invalid_user_id");
  }

  @Test
  void negativeAndBadAmounts() {
    assertThat(reason(Feed.BILLING, billing("-0.0014"))).isEqualTo("negative_amount");
    assertThat(reason(Feed.BILLING, billing("0.0000001"))).isEqualTo("bad_amount"); // 7 decimals
    assertThat(reason(Feed.BILLING, billing("0.000001"))).isNull();
    Row r = LineParser.parse(landed("2026-11-22", "b.jsonl", billing("0.0014")), Feed.BILLING).first();
    assertThat((BigDecimal) r.getAs("amount")).isEqualByComparingTo("0.0014");
  }

  @Test
  void checksRunInContractOrder() {
    // missing business_id AND an unknown direction: missing_field comes first
    assertThat(reason(Feed.MESSAGES, message("\"business_id\":\"b-7\",", "").replace("outbound", "sideways")))
        .isEqualTo("missing_field");
  }

  @Test
  void aTemplateOnATextMessageAndAReferralOnAnOutboundOneAreIgnored() {
    String text = message("\"type\":\"template\"", "\"type\":\"text\"")
        .replace("}}", "},\"referral\":{\"source_type\":\"tv\"}}");
    Row r = LineParser.parse(landed("2026-11-21", "f.jsonl", text), Feed.MESSAGES).first();
    assertThat((String) r.getAs(LineParser.REASON)).isNull();
    assertThat((String) r.getAs("template_name")).isNull();
    assertThat((String) r.getAs("referral_source_type")).isNull();
  }

  private static String billing(String amount) {
    return "{\"billing_event_id\":\"bl-1\",\"message_id\":\"m-2\",\"business_id\":\"b-7\",\"kind\":\"charge\","
        + "\"category\":\"utility\",\"pricing_type\":\"regular\",\"amount\":\"" + amount + "\",\"currency\":\"USD\","
        + "\"billed_at\":\"2026-11-22T00:00:05.000Z\"}";
  }
}
