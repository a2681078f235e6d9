package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.NightlyJob;
import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.tables.Warehouse;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "nightly", mixinStandardHelpOptions = true,
    description = {
      "Ingests the files that ARRIVED on --date (every feed and the reference files) into bronze,",
      "rejects bad lines into ops.rejected, deduplicates and pseudonymizes into silver, rates every",
      "outbound message, publishes the revenue, reconciliation, consent and usage tables, and records",
      "the run in ops.runs. Re-running a date changes no table's content (ops.runs gains a row).",
      "The HMAC key comes from --key-file, else the CHATLEDGER_HMAC_KEY environment variable."
    })
public final class NightlyCommand implements Callable<Integer> {
  @Mixin NightOptions night;

  @Option(names = "--date", required = true, description = "arrival date to process, YYYY-MM-DD")
  LocalDate date;

  @Override
  public Integer call() {
    HmacKey key = night.key();
    SparkSession spark = SparkSessions.getOrCreate("chatledger-nightly");
    NightlyJob.Result r = new NightlyJob(Warehouse.open(spark, night.warehouse), night.landing, key)
        .withQualityThresholds(night.thresholds()).run(date);
    System.out.println("nightly " + r.date() + " succeeded: run " + r.runId());
    return ChatLedger.EXIT_OK;
  }
}
