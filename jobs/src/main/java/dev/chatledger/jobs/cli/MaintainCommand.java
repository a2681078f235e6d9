package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.ops.Maintenance;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "maintain", mixinStandardHelpOptions = true,
    description = {
      "Compacts the partitions of every table that hold more than one file (OPTIMIZE, Z-ordered by",
      "business and country within the date partitions; compacted partitions are not rewritten again),",
      "publishes the compacted versions, then deletes files no version within the retention needs",
      "(VACUUM). Takes the writer lock like a night; prints files per table before and after."
    })
public final class MaintainCommand implements Callable<Integer> {
  @Option(names = "--warehouse", required = true, description = "warehouse root (path or Hadoop URI)")
  String warehouse;

  @Option(names = "--retention-hours", defaultValue = "" + Maintenance.DEFAULT_RETENTION_HOURS,
      description = "VACUUM keeps files needed by versions of the last N hours (default: ${DEFAULT-VALUE}, 7 days)")
  int retentionHours;

  @Option(names = "--no-optimize", description = "skip OPTIMIZE")
  boolean noOptimize;

  @Option(names = "--no-vacuum", description = "skip VACUUM")
  boolean noVacuum;

  @Override
  public Integer call() {
    Warehouse w = Warehouse.open(SparkSessions.getOrCreate("chatledger-maintain"), warehouse);
    Map<Table, Maintenance.TableFiles> files = Maintenance.run(w, !noOptimize, !noVacuum, retentionHours);
    System.out.printf("%-30s %12s %12s %14s %14s%n", "table", "live before", "live after", "on disk before",
        "on disk after");
    files.forEach((t, f) -> System.out.printf("%-30s %12d %12d %14d %14d%n", t.qualifiedName(), f.liveBefore(),
        f.liveAfter(), f.onDiskBefore(), f.onDiskAfter()));
    return ChatLedger.EXIT_OK;
  }
}
