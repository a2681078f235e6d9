package dev.chatledger.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {

  @Test
  void nightlyRefusesToStartWithoutAKey(@TempDir Path dir) {
    // CHATLEDGER_HMAC_KEY is not set in the test environment (and CI): no key, no run
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("CHATLEDGER_HMAC_KEY") == null);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    int exit;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      exit = ChatLedger.execute("nightly", "--landing", dir.toString(), "--warehouse", dir.resolve("w").toString(),
          "--date", "2026-11-21");
    } finally {
      System.setErr(original);
    }
    assertThat(exit).isEqualTo(ChatLedger.EXIT_USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no HMAC key", "CHATLEDGER_HMAC_KEY", "--key-file");
    assertThat(dir.resolve("w")).doesNotExist();
  }

  @Test
  void benchResumeRefusesAFolderWithNoBenchInIt(@TempDir Path dir) throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("work"));
    assertThat(ChatLedger.execute("bench", "--days", "2", "--messages-per-day", "100", "--resume",
        "--dir", dir.resolve("work").toString(), "--out", dir.resolve("out").toString())).isEqualTo(ChatLedger.EXIT_USAGE);
    assertThat(BenchCommand.completedNights(java.util.List.of("night,date,seconds_ingest", "1,2026-10-01,3.5",
        "2,2026-10-02,4.0"))).containsExactly("2026-10-01", "2026-10-02");
    assertThat(BenchCommand.completedNights(java.util.List.of("night,date"))).isEmpty();
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"generate", "nightly", "sql", "demo", "explain", "bench"}) {
      assertThat(ChatLedger.execute(command, "--help")).as(command).isZero();
    }
  }
}
