package dev.chatledger.datasets.contract;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a user is named on the wire (CONTRACT 1, 5, 7): an E.164 {@code user_phone} resolved by
 * libphonenumber, or a business-scoped {@code user_id} whose prefix is an ISO country; and how
 * either is masked when a rejected line is kept.
 */
public final class UserIdentity {
  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
  private static final Set<String> ISO_COUNTRIES = Set.of(Locale.getISOCountries());
  private static final Pattern PHONE_FIELD =
      Pattern.compile("(\"user_phone\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|[-+0-9.eE]+)");
  private static final Pattern USER_ID_FIELD =
      Pattern.compile("(\"user_id\"\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|[-+0-9.eE]+)");
  /** Anything else in a line that looks like an international number. */
  private static final Pattern PHONE_LIKE = Pattern.compile("\\+[0-9][0-9 ()\\-]{5,}[0-9]");

  private UserIdentity() {}

  /**
   * The ISO region of a valid E.164 number, or null when the string is not exactly E.164 or not a
   * valid number for libphonenumber. Numbers are not normalised: {@code +91 98123...} is invalid.
   */
  public static String phoneRegion(String e164) {
    if (e164 == null || e164.length() < 3 || e164.charAt(0) != '+') {
      return null;
    }
    for (int i = 1; i < e164.length(); i++) {
      char c = e164.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    try {
      PhoneNumber number = PHONES.parse(e164, "ZZ");
      if (!PHONES.isValidNumber(number)) {
        return null;
      }
      String region = PHONES.getRegionCodeForNumber(number);
      return region == null || "ZZ".equals(region) || "001".equals(region) ? null : region;
    } catch (NumberParseException e) {
      return null;
    }
  }

  /** The user id's country (the prefix before the first dot) when it is an ISO code, else null. */
  public static String userIdCountry(String userId) {
    if (userId == null) {
      return null;
    }
    int dot = userId.indexOf('.');
    String prefix = dot < 0 ? userId : userId.substring(0, dot);
    return ISO_COUNTRIES.contains(prefix) ? prefix : null;
  }

  /** Every ISO 3166-1 alpha-2 code, for checks expressed in SQL. */
  public static Set<String> isoCountries() {
    return ISO_COUNTRIES;
  }

  /**
   * Masks a phone number: keeps {@code +}, the calling code when the number parses (else its first
   * digit) and the last two digits; every other digit becomes {@code *}.
   */
  public static String maskPhone(String value) {
    if (value == null) {
      return null;
    }
    int keepPrefixDigits = 1;
    try {
      PhoneNumber number = PHONES.parse(value, "ZZ");
      keepPrefixDigits = String.valueOf(number.getCountryCode()).length();
    } catch (NumberParseException e) {
      // unparseable: keep only its first digit
    }
    return maskDigits(value, keepPrefixDigits);
  }

  /** Masks a user id: keeps the country prefix and the last two digits. */
  public static String maskUserId(String value) {
    if (value == null) {
      return null;
    }
    return maskDigits(value, 0);
  }

  private static String maskDigits(String value, int keepLeadingDigits) {
    int totalDigits = 0;
    for (int i = 0; i < value.length(); i++) {
      if (Character.isDigit(value.charAt(i))) {
        totalDigits++;
      }
    }
    StringBuilder out = new StringBuilder(value.length());
    int seen = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isDigit(c)) {
        seen++;
        boolean keep = seen <= keepLeadingDigits || seen > totalDigits - 2;
        out.append(keep ? c : '*');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * A landed line with its user_phone and user_id values masked, and any other phone-like text
   * masked too, so that {@code ops.rejected} never holds a full number (CONTRACT 5). Works on
   * lines that are not valid JSON.
   */
  public static String maskLine(String line) {
    if (line == null) {
      return null;
    }
    String masked = replaceValue(PHONE_FIELD, line, true);
    masked = replaceValue(USER_ID_FIELD, masked, false);
    Matcher m = PHONE_LIKE.matcher(masked);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(maskPhone(m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String replaceValue(Pattern field, String line, boolean phone) {
    Matcher m = field.matcher(line);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String raw = m.group(2);
      String masked;
      if (raw.startsWith("\"")) {
        String inner = raw.substring(1, raw.length() - 1);
        masked = "\"" + (phone ? maskPhone(inner) : maskUserId(inner)) + "\"";
      } else {
        masked = phone ? maskPhone(raw) : maskUserId(raw);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + masked));
    }
    m.appendTail(out);
    return out.toString();
  }
}
