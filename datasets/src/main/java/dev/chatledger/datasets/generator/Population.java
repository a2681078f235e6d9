package dev.chatledger.datasets.generator;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The synthetic platform's fixed cast: countries with their weights, users (with valid phone
 * numbers or business-scoped ids) and businesses. Built once per generation from the seed; its
 * size grows with the daily volume, never with the number of days.
 */
final class Population {

  /** A country where users live and businesses register. */
  record Country(String iso, double userWeight, double businessWeight, String timezone) {}

  /** A business account (a row of businesses.csv). */
  record Business(
      int index,
      String id,
      String name,
      int country,
      String timezone,
      String vertical,
      String accountType,
      boolean verified,
      Instant registeredAt,
      int phoneNumbers,
      double marketingShare) {}

  // India about 3.8 users per Brazilian user, then Indonesia, Mexico, Colombia, North America,
  // Europe, and a long tail including countries outside every listed market ("Other").
  static final List<Country> COUNTRIES =
      List.of(
          new Country("IN", 0.360, 0.30, "Asia/Kolkata"),
          new Country("BR", 0.095, 0.10, "America/Sao_Paulo"),
          new Country("ID", 0.080, 0.07, "Asia/Jakarta"),
          new Country("MX", 0.060, 0.06, "America/Mexico_City"),
          new Country("CO", 0.040, 0.04, "America/Bogota"),
          new Country("US", 0.045, 0.08, "America/New_York"),
          new Country("CA", 0.010, 0.02, "America/Toronto"),
          new Country("GB", 0.020, 0.04, "Europe/London"),
          new Country("DE", 0.020, 0.03, "Europe/Berlin"),
          new Country("ES", 0.015, 0.02, "Europe/Madrid"),
          new Country("IT", 0.015, 0.02, "Europe/Rome"),
          new Country("FR", 0.010, 0.02, "Europe/Paris"),
          new Country("NL", 0.005, 0.01, "Europe/Amsterdam"),
          new Country("AR", 0.020, 0.02, "America/Argentina/Buenos_Aires"),
          new Country("CL", 0.010, 0.01, "America/Santiago"),
          new Country("PE", 0.010, 0.01, "America/Lima"),
          new Country("EC", 0.008, 0.005, "America/Guayaquil"),
          new Country("GT", 0.005, 0.005, "America/Guatemala"),
          new Country("EG", 0.015, 0.01, "Africa/Cairo"),
          new Country("NG", 0.015, 0.01, "Africa/Lagos"),
          new Country("ZA", 0.010, 0.01, "Africa/Johannesburg"),
          new Country("PK", 0.020, 0.01, "Asia/Karachi"),
          new Country("SA", 0.010, 0.01, "Asia/Riyadh"),
          new Country("AE", 0.010, 0.02, "Asia/Dubai"),
          new Country("TR", 0.010, 0.01, "Europe/Istanbul"),
          new Country("IL", 0.005, 0.005, "Asia/Jerusalem"),
          new Country("MY", 0.010, 0.01, "Asia/Kuala_Lumpur"),
          new Country("PH", 0.010, 0.01, "Asia/Manila"),
          new Country("SG", 0.003, 0.01, "Asia/Singapore"),
          new Country("AU", 0.005, 0.01, "Australia/Sydney"),
          new Country("KE", 0.008, 0.005, "Africa/Nairobi"),
          new Country("BD", 0.006, 0.005, "Asia/Dhaka"),
          new Country("NP", 0.004, 0.0, "Asia/Kathmandu"),
          new Country("MA", 0.004, 0.002, "Africa/Casablanca"),
          new Country("UZ", 0.003, 0.0, "Asia/Tashkent"));

  private static final String[] VERTICALS = {
    "retail", "ecommerce", "financial_services", "travel", "education", "healthcare",
    "logistics", "telecom", "food_delivery", "government"
  };

  final long seed;
  final int userCount;
  final byte[] userCountry;
  final int[] userLocalIndex;
  final boolean[] userIdOnly;
  final boolean[] userBoth;
  final int[][] usersByCountry;
  final List<Business> businesses;
  final double[] businessCumWeight;
  private final PhoneFactory phones;

  Population(long seed, long messagesPerDay, LocalDate from, int days) {
    this.seed = seed;
    SplittableRandom rnd = new SplittableRandom(seed);
    this.userCount = (int) Math.max(200, Math.min(5_000_000, messagesPerDay / 4));
    this.userCountry = new byte[userCount];
    this.userLocalIndex = new int[userCount];
    this.userIdOnly = new boolean[userCount];
    this.userBoth = new boolean[userCount];
    double[] userCum = cumulative(COUNTRIES.stream().mapToDouble(Country::userWeight).toArray());
    int[] perCountry = new int[COUNTRIES.size()];
    for (int u = 0; u < userCount; u++) {
      int c = pick(userCum, rnd.nextDouble());
      userCountry[u] = (byte) c;
      userLocalIndex[u] = perCountry[c]++;
      double r = rnd.nextDouble();
      userIdOnly[u] = r < 0.07; // known only by a business-scoped user id
      userBoth[u] = r >= 0.07 && r < 0.10; // both identifiers on the wire
    }
    usersByCountry = new int[COUNTRIES.size()][];
    int[] fill = new int[COUNTRIES.size()];
    for (int c = 0; c < COUNTRIES.size(); c++) {
      usersByCountry[c] = new int[perCountry[c]];
    }
    for (int u = 0; u < userCount; u++) {
      usersByCountry[userCountry[u]][fill[userCountry[u]]++] = u;
    }
    this.phones = new PhoneFactory(COUNTRIES.stream().map(Country::iso).toList(), perCountry);

    int businessCount = (int) Math.max(12, Math.min(20_000, messagesPerDay / 400));
    double[] bizCum = cumulative(COUNTRIES.stream().mapToDouble(Country::businessWeight).toArray());
    businesses = new ArrayList<>(businessCount);
    businessCumWeight = new double[businessCount];
    double total = 0;
    Instant windowStart = from.atStartOfDay(ZoneOffset.UTC).toInstant();
    for (int b = 0; b < businessCount; b++) {
      // a low-discrepancy draw: even a dozen businesses spread over countries as weighted
      int c = pick(bizCum, (b * 0.6180339887498949 + 0.5 * rnd.nextDouble() / businessCount) % 1.0);
      Country country = COUNTRIES.get(c);
      // a few businesses register during the generated window and start sending after that
      boolean newcomer = days > 1 && rnd.nextDouble() < 0.06;
      Instant registered =
          newcomer
              ? windowStart.plusSeconds(rnd.nextLong(Math.max(1, (days - 1) * 86_400L)))
              : windowStart.minusSeconds(86_400L * (10 + rnd.nextInt(900)) + rnd.nextInt(86_400));
      String id = String.format("b-%05d", b + 1);
      businesses.add(
          new Business(
              b,
              id,
              "Business " + (b + 1) + " " + country.iso(),
              c,
              country.timezone(),
              VERTICALS[rnd.nextInt(VERTICALS.length)],
              rnd.nextDouble() < 0.35 ? "app" : "api",
              rnd.nextDouble() < 0.4,
              registered.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
              1 + rnd.nextInt(3),
              0.25 + 0.5 * rnd.nextDouble()));
      total += 1.0 / Math.pow(b + 1, 0.8); // a few big senders, a long tail of small ones
      businessCumWeight[b] = total;
    }
    for (int b = 0; b < businessCount; b++) {
      businessCumWeight[b] /= total;
    }
  }

  String countryIso(int countryIndex) {
    return COUNTRIES.get(countryIndex).iso();
  }

  String userPhone(int user) {
    return phones.phone(userCountry[user], userLocalIndex[user]);
  }

  String userId(int user) {
    long digits = 1_000_000_000_000_000L + Math.floorMod(mix(seed, user), 8_999_999_999_999_999L);
    return countryIso(userCountry[user]) + "." + digits;
  }

  static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static double[] cumulative(double[] weights) {
    double[] cum = new double[weights.length];
    double sum = Arrays.stream(weights).sum();
    double acc = 0;
    for (int i = 0; i < weights.length; i++) {
      acc += weights[i] / sum;
      cum[i] = acc;
    }
    cum[cum.length - 1] = 1.0;
    return cum;
  }

  static int pick(double[] cum, double r) {
    int i = Arrays.binarySearch(cum, r);
    i = i < 0 ? -i - 1 : i;
    return Math.min(i, cum.length - 1);
  }

  /**
   * Valid E.164 numbers without calling libphonenumber per line: per country, a prefix taken from
   * libphonenumber's example mobile number and a suffix length for which every sampled suffix
   * validated. Each user gets a distinct suffix within its country.
   */
  static final class PhoneFactory {
    private final String[] prefixes;
    private final int[] suffixDigits;

    PhoneFactory(List<String> regions, int[] usersPerCountry) {
      PhoneNumberUtil util = PhoneNumberUtil.getInstance();
      prefixes = new String[regions.size()];
      suffixDigits = new int[regions.size()];
      SplittableRandom rnd = new SplittableRandom(42);
      for (int c = 0; c < regions.size(); c++) {
        PhoneNumber example =
            util.getExampleNumberForType(regions.get(c), PhoneNumberUtil.PhoneNumberType.MOBILE);
        String e164 = util.format(example, PhoneNumberUtil.PhoneNumberFormat.E164);
        for (int digits = 7; digits >= 2; digits--) {
          if (digits >= e164.length() - 4) {
            continue;
          }
          String prefix = e164.substring(0, e164.length() - digits);
          boolean allValid = true;
          for (int i = 0; i < 300 && allValid; i++) {
            String candidate = prefix + suffix(rnd.nextInt(pow10(digits)), digits);
            allValid = isValid(util, candidate, regions.get(c));
          }
          if (allValid) {
            prefixes[c] = prefix;
            suffixDigits[c] = digits;
            break;
          }
        }
        if (prefixes[c] == null) {
          prefixes[c] = e164.substring(0, e164.length() - 1);
          suffixDigits[c] = 1;
        }
      }
    }

    String phone(int country, int localIndex) {
      int digits = suffixDigits[country];
      // a multiplicative permutation spreads neighbours; wraps (shared numbers) past the space
      long space = pow10(digits);
      long value = Math.floorMod(localIndex * 7_919L + 13, space);
      return prefixes[country] + suffix(value, digits);
    }

    private static boolean isValid(PhoneNumberUtil util, String e164, String region) {
      try {
        PhoneNumber n = util.parse(e164, "ZZ");
        return util.isValidNumber(n) && region.equals(util.getRegionCodeForNumber(n));
      } catch (Exception e) {
        return false;
      }
    }

    private static int pow10(int digits) {
      int p = 1;
      for (int i = 0; i < digits; i++) {
        p *= 10;
      }
      return p;
    }

    private static String suffix(long value, int digits) {
      String s = Long.toString(value);
      return "0".repeat(Math.max(0, digits - s.length())) + s;
    }
  }
}
