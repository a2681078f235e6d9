package dev.chatledger.datasets.generator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.datasets.contract.UserIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LandingZoneGeneratorTest {
  private static final Pattern PHONE = Pattern.compile("\"user_phone\":\"(\\+[0-9]+)\"");

  @Test
  void sameSeedWritesTheSameFiles(@TempDir Path a, @TempDir Path b) throws Exception {
    generate(a, 2_000);
    generate(b, 2_000);
    assertThat(digest(a)).isEqualTo(digest(b)).isNotEmpty();
  }

  @Test
  void writesTheLandingZoneLayoutWithLateArrivals(@TempDir Path out) throws Exception {
    LandingZoneGenerator.Summary s = generate(out, 3_000);
    assertThat(s.messages()).isBetween(5_900L, 6_100L);
    for (String feed : List.of("messages", "statuses", "consents", "billing")) {
      assertThat(out.resolve(feed).resolve("dt=2026-11-16")).isDirectory();
    }
    // events land up to 3 days after the last event day
    assertThat(out.resolve("messages").resolve("dt=2026-11-20")).isDirectory();
    assertThat(out.resolve("reference").resolve("businesses.csv")).isRegularFile();
    assertThat(out.resolve("reference").resolve("rate_card.csv")).isRegularFile();
  }

  @Test
  void laterLatenessLandsLinesUpToItsDaysAfterTheirEvent(@TempDir Path out) throws Exception {
    var lateness = new LandingZoneGenerator.Lateness(0.5, 6, 0.2, 4);
    new LandingZoneGenerator(new LandingZoneGenerator.Options(out, LocalDate.parse("2026-11-16"), 2, 3_000, 11, lateness))
        .run(line -> {});
    Pattern sentDate = Pattern.compile("\"sent_at\":\"([0-9]{4}-[0-9]{2}-[0-9]{2})T");
    Map<Long, Integer> linesByDaysLate = new HashMap<>();
    try (Stream<Path> files = Files.walk(out.resolve("messages"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        LocalDate arrival = LocalDate.parse(f.getParent().getFileName().toString().substring(3));
        for (String line : Files.readAllLines(f)) {
          Matcher m = sentDate.matcher(line);
          if (m.find()) { // a corrupted line may have lost it
            // a local sending time (2% of lines) may be a day off its UTC date
            linesByDaysLate.merge(LocalDate.parse(m.group(1)).until(arrival, java.time.temporal.ChronoUnit.DAYS), 1, Integer::sum);
          }
        }
      }
    }
    int all = linesByDaysLate.values().stream().mapToInt(Integer::intValue).sum();
    int late = linesByDaysLate.entrySet().stream().filter(e -> e.getKey() >= 1).mapToInt(Map.Entry::getValue).sum();
    // half land 1-6 days late; a fifth are landed again up to 4 days after their first copy
    assertThat((double) late / all).isBetween(0.45, 0.65);
    assertThat(linesByDaysLate.keySet().stream().mapToLong(Long::longValue).max().orElseThrow()).isBetween(8L, 11L);
    assertThat(linesByDaysLate.keySet().stream().mapToLong(Long::longValue).min().orElseThrow()).isGreaterThanOrEqualTo(-1L);
    assertThat(linesByDaysLate).containsKeys(1L, 2L, 3L, 4L, 5L, 6L);
  }

  @Test
  void usersAreMostlyInIndiaThenBrazilWithValidNumbers(@TempDir Path out) throws Exception {
    generate(out, 40_000);
    Map<String, Set<String>> usersByRegion = new HashMap<>();
    int phones = 0;
    int invalid = 0;
    try (Stream<Path> files = Files.walk(out.resolve("messages"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        for (String line : Files.readAllLines(f)) {
          Matcher m = PHONE.matcher(line);
          if (m.find()) {
            phones++;
            String region = UserIdentity.phoneRegion(m.group(1));
            if (region == null) {
              invalid++;
            } else {
              usersByRegion.computeIfAbsent(region, k -> new HashSet<>()).add(m.group(1));
            }
          }
        }
      }
    }
    double ratio = (double) usersByRegion.get("IN").size() / usersByRegion.get("BR").size();
    assertThat(ratio).isBetween(3.3, 4.3);
    // only deliberately corrupted lines (about 0.1% of all) carry an invalid number
    assertThat((double) invalid / phones).isLessThan(0.002);
    assertThat(usersByRegion.keySet()).contains("ID", "MX", "CO", "US", "CA", "GB", "DE", "KE");
  }

  private static LandingZoneGenerator.Summary generate(Path out, long perDay) {
    return new LandingZoneGenerator(new LandingZoneGenerator.Options(out, LocalDate.parse("2026-11-16"), 2, perDay, 11))
        .run(line -> {});
  }

  private static String digest(Path root) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        md.update(root.relativize(f).toString().getBytes());
        md.update(readAll(f));
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static byte[] readAll(Path f) throws IOException {
    return Files.readAllBytes(f);
  }
}
