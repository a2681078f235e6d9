package dev.chatledger.jobs.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The secret that pseudonymizes users (CONTRACT 5). Precedence: {@code --key-file}, then the
 * {@code CHATLEDGER_HMAC_KEY} environment variable; a fixed key only in demo mode. The key is
 * never logged or stored.
 */
public final class HmacKey {
  public static final String ENV = "CHATLEDGER_HMAC_KEY";
  /** Public on purpose: demo data is not personal data. Never use it for real feeds. */
  public static final String DEMO_KEY = "chatledger-demo-key-not-secret";

  private final String value;
  private final String origin;

  private HmacKey(String value, String origin) {
    this.value = value;
    this.origin = origin;
  }

  public static HmacKey resolve(Path keyFile, boolean demo) {
    if (keyFile != null) {
      try {
        String key = Files.readString(keyFile, StandardCharsets.UTF_8).strip();
        if (key.isEmpty()) {
          throw new IllegalArgumentException("key file is empty: " + keyFile);
        }
        return new HmacKey(key, "key file " + keyFile);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read key file " + keyFile + ": " + e.getMessage(), e);
      }
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return new HmacKey(env, "environment variable " + ENV);
    }
    if (demo) {
      return new HmacKey(DEMO_KEY, "the fixed DEMO key (not secret: never use it for real data)");
    }
    throw new IllegalArgumentException(
        "no HMAC key: set " + ENV + " or pass --key-file FILE (or --demo-key for demo data only)");
  }

  public String value() {
    return value;
  }

  /** Where the key came from, safe to log. */
  public String origin() {
    return origin;
  }

  public boolean isDemo() {
    return DEMO_KEY.equals(value);
  }

  @Override
  public String toString() {
    return "HmacKey(" + origin + ")";
  }
}
