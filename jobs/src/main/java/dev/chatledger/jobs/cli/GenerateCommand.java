package dev.chatledger.jobs.cli;

import dev.chatledger.datasets.generator.LandingZoneGenerator;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Writes a synthetic landing zone (CONTRACT section 1), reference files included.")
public final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "landing folder to write")
  Path out;

  @Option(names = "--from", required = true, description = "first event date, YYYY-MM-DD")
  LocalDate from;

  @Option(names = "--days", required = true, description = "number of event days")
  int days;

  @Option(names = "--messages-per-day", defaultValue = "10000",
      description = "messages (inbound + outbound) per day (default: ${DEFAULT-VALUE})")
  long messagesPerDay;

  @Option(names = "--seed", defaultValue = "1", description = "random seed; same seed, same files (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--late-share", defaultValue = "0.03",
      description = "share of lines that land late (default: ${DEFAULT-VALUE})")
  double lateShare;

  @Option(names = "--max-late-days", defaultValue = "3",
      description = "a late line lands 1 to this many days after its event (default: ${DEFAULT-VALUE})")
  int maxLateDays;

  @Option(names = "--redelivery-share", defaultValue = "0.01",
      description = "share of lines delivered twice (default: ${DEFAULT-VALUE})")
  double redeliveryShare;

  @Option(names = "--redelivery-days", defaultValue = "1",
      description = "the second copy lands 0 to this many days after the first (default: ${DEFAULT-VALUE})")
  int redeliveryDays;

  @Override
  public Integer call() {
    // out-of-range values are an IllegalArgumentException: a usage error (exit 2)
    var lateness = new LandingZoneGenerator.Lateness(lateShare, maxLateDays, redeliveryShare, redeliveryDays);
    LandingZoneGenerator.Summary s = generate(out, from, days, messagesPerDay, seed, lateness);
    System.out.printf("wrote %,d messages, %,d lines %s to %s in %.1f s (%,.0f messages/s)%n",
        s.messages(), s.lines(), s.linesPerFeed(), out, s.millis() / 1000.0,
        s.messages() / Math.max(0.001, s.millis() / 1000.0));
    return ChatLedger.EXIT_OK;
  }

  static LandingZoneGenerator.Summary generate(Path out, LocalDate from, int days, long perDay, long seed) {
    return generate(out, from, days, perDay, seed, LandingZoneGenerator.Lateness.USUAL);
  }

  static LandingZoneGenerator.Summary generate(Path out, LocalDate from, int days, long perDay, long seed,
      LandingZoneGenerator.Lateness lateness) {
    return new LandingZoneGenerator(new LandingZoneGenerator.Options(out, from, days, perDay, seed, lateness))
        .run(System.err::println);
  }
}
