package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.ops.DataQuality;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What every command that ingests nights needs: where from, where to, and the HMAC key. */
final class NightOptions {
  @Option(names = "--landing", required = true, description = "landing zone root (path or Hadoop URI)")
  String landing;

  @Option(names = "--warehouse", required = true, description = "warehouse root (path or Hadoop URI)")
  String warehouse;

  @Option(names = "--key-file", description = "file holding the HMAC key (takes precedence over the environment)")
  Path keyFile;

  @Option(names = "--demo-key", description = "use the fixed, public demo key (demo data only)")
  boolean demoKey;

  @Option(names = "--quality-thresholds", paramLabel = "FILE",
      description = "properties file overriding data-quality thresholds (<check>.warn_above / <check>.fail_above)")
  Path qualityThresholds;

  DataQuality.Thresholds thresholds() {
    return DataQuality.Thresholds.load(qualityThresholds);
  }

  /** The key from --key-file, else CHATLEDGER_HMAC_KEY, else (with --demo-key) the demo key, said loudly. */
  HmacKey key() {
    HmacKey key = HmacKey.resolve(keyFile, demoKey);
    if (key.isDemo()) {
      System.err.println("WARNING: using the fixed demo HMAC key: user keys are NOT secret. Demo data only.");
    }
    return key;
  }
}
