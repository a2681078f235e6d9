package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.NightlyJob;
import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.ops.RunRecord;
import dev.chatledger.jobs.tables.Warehouse;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "backfill", mixinStandardHelpOptions = true,
    description = {
      "Runs 'nightly' for every arrival date from --from to --to, in order. Resumable: a night",
      "that already succeeded (ops.runs) is skipped unless --force. Stops at the first failed night",
      "(exit 1); re-running the same command resumes from it."
    })
public final class BackfillCommand implements Callable<Integer> {
  @Mixin NightOptions night;

  @Option(names = "--from", required = true, description = "first arrival date, YYYY-MM-DD")
  LocalDate from;

  @Option(names = "--to", required = true, description = "last arrival date (inclusive), YYYY-MM-DD")
  LocalDate to;

  @Option(names = "--force", description = "re-run nights that already succeeded")
  boolean force;

  @Override
  public Integer call() {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("--to " + to + " is before --from " + from);
    }
    HmacKey key = night.key();
    Warehouse w = Warehouse.open(SparkSessions.getOrCreate("chatledger-backfill"), night.warehouse);
    NightlyJob job = new NightlyJob(w, night.landing, key).withQualityThresholds(night.thresholds());
    List<LocalDate> nights = from.datesUntil(to.plusDays(1)).toList();
    Set<String> done = force ? Set.of() : RunRecord.succeededDates(w, "nightly");
    long started = System.currentTimeMillis();
    int ran = 0;
    for (int i = 0; i < nights.size(); i++) {
      LocalDate date = nights.get(i);
      String progress = String.format("night %d of %d: %s", i + 1, nights.size(), date);
      if (done.contains(date.toString())) {
        System.out.println(progress + " skipped (already succeeded; --force re-runs it)");
        continue;
      }
      long t0 = System.currentTimeMillis();
      NightlyJob.Result r = job.run(date);
      ran++;
      System.out.printf("%s ok in %.0f s, elapsed %.0f s (%,d message lines, %,d outbound rated)%n", progress,
          (System.currentTimeMillis() - t0) / 1000.0, (System.currentTimeMillis() - started) / 1000.0,
          r.counts().getOrDefault("messages.lines", 0L), r.counts().getOrDefault("rating.outbound_messages", 0L));
    }
    System.out.printf("backfill %s..%s done: %d nights run, %d skipped, %.0f s%n", from, to, ran,
        nights.size() - ran, (System.currentTimeMillis() - started) / 1000.0);
    return ChatLedger.EXIT_OK;
  }
}
