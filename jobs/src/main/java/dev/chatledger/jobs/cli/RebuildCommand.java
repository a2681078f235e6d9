package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.NightlyJob;
import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.tables.Warehouse;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rebuild", mixinStandardHelpOptions = true,
    description = {
      "Recomputes silver.rated_messages and every gold table from the silver tables as of --date,",
      "without ingesting anything: after an upgrade of the rules, or to time the derived stages.",
      "Tables whose content comes out the same are not rewritten. Recorded in ops.runs."
    })
public final class RebuildCommand implements Callable<Integer> {
  @Option(names = "--warehouse", required = true, description = "warehouse root (path or Hadoop URI)")
  String warehouse;

  @Option(names = "--quality-thresholds", paramLabel = "FILE",
      description = "properties file overriding data-quality thresholds (<check>.warn_above / <check>.fail_above)")
  java.nio.file.Path qualityThresholds;

  @Option(names = "--date", required = true,
      description = "the night the tables are as of (decides is_final of opt-in cohorts and orphan statuses), YYYY-MM-DD")
  LocalDate date;

  @Override
  public Integer call() {
    Warehouse w = Warehouse.open(SparkSessions.getOrCreate("chatledger-rebuild"), warehouse);
    NightlyJob.Result r = NightlyJob.rebuilding(w)
        .withQualityThresholds(dev.chatledger.jobs.ops.DataQuality.Thresholds.load(qualityThresholds)).rebuild(date);
    System.out.println("rebuild " + r.date() + " succeeded: run " + r.runId());
    return ChatLedger.EXIT_OK;
  }
}
