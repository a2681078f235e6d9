package dev.chatledger.datasets.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UserIdentityTest {

  @Test
  void phoneRegionResolvesNorthAmericanNumbersToTheirCountry() {
    // +1 is shared: libphonenumber tells the US (201 = New Jersey) from Canada (613 = Ottawa)
    assertThat(UserIdentity.phoneRegion("+12015550123")).isEqualTo("US");
    assertThat(UserIdentity.phoneRegion("+16135550123")).isEqualTo("CA");
  }

  @Test
  void phoneRegionOfBrazilAndIndia() {
    assertThat(UserIdentity.phoneRegion("+5511987654321")).isEqualTo("BR");
    assertThat(UserIdentity.phoneRegion("+919812345678")).isEqualTo("IN");
  }

  @Test
  void phoneMustAlreadyBeE164AndValid() {
    assertThat(UserIdentity.phoneRegion("+91 98123 45678")).isNull(); // not normalised
    assertThat(UserIdentity.phoneRegion("919812345678")).isNull(); // no +
    assertThat(UserIdentity.phoneRegion("+9198")).isNull(); // too short
    assertThat(UserIdentity.phoneRegion("+15555550123")).isNull(); // 555 is no US area code
  }

  @Test
  void userIdCountryIsItsIsoPrefix() {
    assertThat(UserIdentity.userIdCountry("BR.1502576394655843")).isEqualTo("BR");
    assertThat(UserIdentity.userIdCountry("XQ.1502576394655843")).isNull();
    assertThat(UserIdentity.userIdCountry("br.1502576394655843")).isNull();
    assertThat(UserIdentity.userIdCountry("1502576394655843")).isNull();
  }

  @Test
  void maskingKeepsPlusCallingCodeAndLastTwoDigits() {
    assertThat(UserIdentity.maskPhone("+919812345678")).isEqualTo("+91********78");
    assertThat(UserIdentity.maskPhone("+12015550123")).isEqualTo("+1********23");
    // does not parse: keep only the first digit
    assertThat(UserIdentity.maskPhone("+9")).isEqualTo("+9");
    assertThat(UserIdentity.maskUserId("BR.1502576394655843")).isEqualTo("BR.**************43");
  }

  @Test
  void maskLineMasksIdentityFieldsEvenInBrokenJson() {
    String line = "{\"event_id\":\"e-1\",\"user_phone\":\"+5511987654321\",\"user_id\":\"BR.1502576394655843\",\"sent_at\":";
    assertThat(UserIdentity.maskLine(line)).isEqualTo(
        "{\"event_id\":\"e-1\",\"user_phone\":\"+55*********21\",\"user_id\":\"BR.**************43\",\"sent_at\":");
    // a number where a string belongs, and a stray number elsewhere in the line
    assertThat(UserIdentity.maskLine("{\"user_phone\":919812345678,\"note\":\"call +919812345678\"}"))
        .isEqualTo("{\"user_phone\":9*********78,\"note\":\"call +91********78\"}");
  }
}
