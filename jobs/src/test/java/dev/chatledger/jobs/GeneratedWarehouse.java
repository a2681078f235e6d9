package dev.chatledger.jobs;

import dev.chatledger.datasets.generator.LandingZoneGenerator;
import dev.chatledger.jobs.bronze.LandedLines;
import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.tables.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * A demo-sized warehouse, built once per test JVM and shared by the end-to-end tests: one generated
 * day of 3,000 messages run through every arrival night with the demo key, as `chatledger demo`
 * does, with volume tiers low enough for its messages to cross them ({@link #lowerVolumeTiers}).
 * Removed when the JVM exits.
 */
final class GeneratedWarehouse {
  /**
   * Later and more often than the generator's usual: a tenth of the lines land up to 5 days late
   * and 3% are delivered again up to 2 days later, so the nights after the first bring late
   * messages, receipts, consents and charges of every age a night's horizons must reach back for.
   */
  static final LandingZoneGenerator.Lateness LATENESS = new LandingZoneGenerator.Lateness(0.10, 5, 0.03, 2);

  final Path dir;
  final Path landing;
  final Warehouse warehouse;
  final List<LocalDate> nights;

  private static GeneratedWarehouse instance;

  static synchronized GeneratedWarehouse get(SparkSession spark) {
    if (instance == null) {
      instance = new GeneratedWarehouse(spark);
    }
    return instance;
  }

  private GeneratedWarehouse(SparkSession spark) {
    try {
      dir = Files.createTempDirectory("chatledger-e2e");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
    landing = dir.resolve("landing");
    new LandingZoneGenerator(new LandingZoneGenerator.Options(landing, LocalDate.parse("2026-11-16"), 1, 3_000, 5,
        LATENESS)).run(s -> {});
    lowerVolumeTiers(landing);
    warehouse = Warehouse.open(spark, dir.resolve("warehouse").toString());
    NightlyJob job = new NightlyJob(warehouse, landing.toString(), HmacKey.resolve(null, true))
        .withQualityThresholds(dev.chatledger.jobs.cli.DemoCommand.demoThresholds());
    nights = LandedLines.arrivalDates(spark, landing.toString());
    for (LocalDate night : nights) {
      job.run(night);
    }
  }

  /**
   * Rewrites the landing zone's rate card with volume tiers from the 3rd, 8th and 20th charged
   * message of a month instead of the 100,000th and later, so that a few thousand messages cross
   * them and a late message moves the price of the ones after it.
   */
  static void lowerVolumeTiers(Path landing) {
    Path rateCard = landing.resolve("reference").resolve("rate_card.csv");
    try {
      Files.write(rateCard, Files.readAllLines(rateCard).stream()
          .map(l -> l.replaceFirst(",100000,", ",3,").replaceFirst(",1000000,", ",8,").replaceFirst(",5000000,", ",20,"))
          .toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String warehouseRoot() {
    return dir.resolve("warehouse").toString();
  }

  private static void delete(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp folder
    }
  }
}
