package dev.chatledger.jobs.silver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.datasets.contract.Feed;
import dev.chatledger.jobs.SparkTestSupport;
import dev.chatledger.jobs.bronze.LineParser;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class PseudonymizationTest extends SparkTestSupport {

  @Test
  void userKeyIsTheHexHmacOfTheNumberAsLanded() {
    // worked out with: printf '%s' '+919812345678' | openssl dgst -sha256 -hmac 'test-key'
    assertThat(Pseudonymization.hmacHex("test-key", "+919812345678"))
        .isEqualTo("f9a6593de8586d3f0984c45e78ffc16fc09a8e3f80e26b214c8c3b81f9dbd948");
  }

  @Test
  void userKeyAndCountryFromPhoneElseUserId() {
    List<Row> rows = Pseudonymization.pseudonymize(LineParser.parse(landed("2026-11-21", "c.jsonl",
            consent("c-1", "\"user_phone\":\"+12015550123\""),
            consent("c-2", "\"user_phone\":\"+16135550123\""),
            consent("c-3", "\"user_phone\":\"+5511987654321\""),
            consent("c-4", "\"user_phone\":\"+919812345678\""),
            // both: the number wins; the two identities are not linked
            consent("c-5", "\"user_phone\":\"+919812345678\",\"user_id\":\"BR.1502576394655843\""),
            consent("c-6", "\"user_id\":\"BR.1502576394655843\"")), Feed.CONSENTS), "test-key")
        .select("event_id", "user_country", "user_key", "identity_source").collectAsList();
    Map<String, Row> byEvent = rows.stream().collect(Collectors.toMap(r -> r.getString(0), r -> r));
    assertThat(byEvent.get("c-1").getString(1)).isEqualTo("US");
    assertThat(byEvent.get("c-2").getString(1)).isEqualTo("CA");
    assertThat(byEvent.get("c-3").getString(1)).isEqualTo("BR");
    assertThat(byEvent.get("c-4").getString(1)).isEqualTo("IN");
    assertThat(byEvent.get("c-5").getString(2))
        .isEqualTo("f9a6593de8586d3f0984c45e78ffc16fc09a8e3f80e26b214c8c3b81f9dbd948");
    assertThat(byEvent.get("c-5").getString(3)).isEqualTo("phone");
    assertThat(byEvent.get("c-6").getString(1)).isEqualTo("BR");
    // printf '%s' 'BR.1502576394655843' | openssl dgst -sha256 -hmac 'test-key'
    assertThat(byEvent.get("c-6").getString(2))
        .isEqualTo("77049b35dc0f1e4577301d782144e3085cd606bea681d5b8bc02c74f7af815f9");
    assertThat(byEvent.get("c-6").getString(3)).isEqualTo("user_id");
  }

  @Test
  void rawIdentifiersAreDropped() {
    String[] columns = Pseudonymization.pseudonymize(LineParser.parse(landed("2026-11-21", "c.jsonl",
        consent("c-1", "\"user_phone\":\"+12015550123\"")), Feed.CONSENTS), "k").columns();
    assertThat(Arrays.asList(columns)).doesNotContain("user_phone", "user_id", "phone_region");
  }

  private static String consent(String id, String identity) {
    return "{\"event_id\":\"" + id + "\",\"business_id\":\"b-7\"," + identity
        + ",\"action\":\"opt_in\",\"occurred_at\":\"2026-11-20T22:10:00.000Z\"}";
  }
}
