package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.NightlyJob;
import dev.chatledger.jobs.bronze.LandedLines;
import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.tables.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
      "Generates a few days of a small platform into DIR/landing, runs 'nightly' for every arrival",
      "day into DIR/warehouse (with the fixed, public demo key) and prints a summary."
    })
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--dir", defaultValue = "demo-data", description = "demo folder (default: ${DEFAULT-VALUE})")
  Path dir;

  @Option(names = "--from", defaultValue = "2026-11-16", description = "first event date (default: ${DEFAULT-VALUE})")
  LocalDate from;

  @Option(names = "--days", defaultValue = "3", description = "event days (default: ${DEFAULT-VALUE})")
  int days;

  @Option(names = "--messages-per-day", defaultValue = "3000", description = "messages per day (default: ${DEFAULT-VALUE})")
  long messagesPerDay;

  @Option(names = "--seed", defaultValue = "7", description = "generator seed (default: ${DEFAULT-VALUE})")
  long seed;

  /**
   * The generated zone's last arrival nights hold only the late tail of the feeds, so a feed may be
   * empty after a night that was not: in the demo that is a warning, not a failed night.
   */
  public static dev.chatledger.jobs.ops.DataQuality.Thresholds demoThresholds() {
    return dev.chatledger.jobs.ops.DataQuality.Thresholds.defaults().with("feed_empty", 0.0, null);
  }

  @Override
  public Integer call() {
    long started = System.currentTimeMillis();
    Path landing = dir.resolve("landing");
    Path warehouseDir = dir.resolve("warehouse");
    deleteRecursively(dir);
    System.out.printf("1/3 generating %d days x %,d messages into %s%n", days, messagesPerDay, landing);
    GenerateCommand.generate(landing, from, days, messagesPerDay, seed);

    System.err.println("WARNING: demo mode uses the fixed demo HMAC key: user keys are NOT secret.");
    HmacKey key = HmacKey.resolve(null, true);
    SparkSession spark = SparkSessions.getOrCreate("chatledger-demo", messagesPerDay <= 100_000);
    Warehouse warehouse = Warehouse.open(spark, warehouseDir.toString());
    NightlyJob job = new NightlyJob(warehouse, landing.toString(), key).withQualityThresholds(demoThresholds());
    List<LocalDate> nights = LandedLines.arrivalDates(spark, landing.toString());
    System.out.printf("2/3 running nightly for %d arrival days into %s%n", nights.size(), warehouseDir);
    for (int i = 0; i < nights.size(); i++) {
      NightlyJob.Result r = job.run(nights.get(i));
      System.out.printf("  night %d of %d: %s ok (%,d message lines, %,d rejected)%n", i + 1, nights.size(),
          r.date(), r.counts().getOrDefault("messages.lines", 0L), r.counts().entrySet().stream()
              .filter(e -> e.getKey().endsWith(".rejected")).mapToLong(e -> e.getValue()).sum());
    }
    System.out.println("3/3 summary");
    Warehouse reopened = Warehouse.open(spark, warehouseDir.toString());
    DemoSummary.print(reopened, System.out);
    try {
      Path report = ReportCommand.write(reopened, null, dir.resolve("report"));
      System.out.println("night report (open in a browser): " + report.toAbsolutePath());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    System.out.printf("%ndemo finished in %.0f s. Try next:%n  ./chatledger sql --warehouse %s "
            + "\"SELECT user_country, count(*) AS messages FROM silver.messages GROUP BY 1 ORDER BY 2 DESC\"%n",
        (System.currentTimeMillis() - started) / 1000.0, warehouseDir);
    return ChatLedger.EXIT_OK;
  }

  static void deleteRecursively(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
