package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.config.HmacKey;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the HMAC key comes from, for every command that computes user keys. */
final class KeyOptions {
  @Option(names = "--key-file", description = "file holding the HMAC key (takes precedence over the environment)")
  Path keyFile;

  @Option(names = "--demo-key", description = "use the fixed, public demo key (demo data only)")
  boolean demoKey;

  /** The key from --key-file, else CHATLEDGER_HMAC_KEY, else (with --demo-key) the demo key, said loudly. */
  HmacKey key() {
    HmacKey key = HmacKey.resolve(keyFile, demoKey);
    if (key.isDemo()) {
      System.err.println("WARNING: using the fixed demo HMAC key: user keys are NOT secret. Demo data only.");
    }
    return key;
  }
}
