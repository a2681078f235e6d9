package dev.chatledger.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.SparkTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest extends SparkTestSupport {

  @Test
  void stopsBeforeItsNextNightWhenItsStopFileAppears(@TempDir Path dir) throws Exception {
    // a bench folder as a first sitting leaves it: the landing zone, its options, night 1 in the CSV
    Path work = dir.resolve("work");
    Path out = Files.createDirectories(dir.resolve("out"));
    LocalDate from = LocalDate.parse("2026-10-01");
    GenerateCommand.generate(work.resolve("landing"), from, 1, 40, 11);
    Files.writeString(work.resolve(BenchCommand.SETTINGS_FILE), BenchCommand.settings(1, 40, from, 11));
    Path csv = out.resolve("nights-40x1.csv");
    Files.writeString(csv, "night,date,seconds_total\n1,2026-10-01,9.9\n");
    Files.createFile(work.resolve(BenchCommand.STOP_FILE));

    assertThat(ChatLedger.execute("bench", "--days", "1", "--messages-per-day", "40", "--resume",
        "--dir", work.toString(), "--out", out.toString())).isZero();

    // stopped before night 2: it ran no night and wrote nothing, and the next --resume goes on
    assertThat(BenchCommand.completedNights(Files.readAllLines(csv))).containsExactly("2026-10-01");
    assertThat(work.resolve(BenchCommand.STOP_FILE)).doesNotExist();
    assertThat(work.resolve("warehouse")).satisfiesAnyOf(
        w -> assertThat(w).doesNotExist(), w -> assertThat(w).isEmptyDirectory());
    assertThat(out.resolve("nights-40x1-reads.csv")).doesNotExist();
  }
}
