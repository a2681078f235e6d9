package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.ops.DataQuality;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What every command that ingests nights needs: where from, where to, and the HMAC key. */
final class NightOptions {
  @Option(names = "--landing", required = true, description = "landing zone root (path or Hadoop URI)")
  String landing;

  @Option(names = "--warehouse", required = true, description = "warehouse root (path or Hadoop URI)")
  String warehouse;

  @Mixin KeyOptions keys;

  @Option(names = "--quality-thresholds", paramLabel = "FILE",
      description = "properties file overriding data-quality thresholds (<check>.warn_above / <check>.fail_above)")
  Path qualityThresholds;

  DataQuality.Thresholds thresholds() {
    return DataQuality.Thresholds.load(qualityThresholds);
  }

  HmacKey key() {
    return keys.key();
  }
}
