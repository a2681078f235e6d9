package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.report.NightReport;
import dev.chatledger.jobs.tables.Warehouse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
    description = {
      "Writes OUT/index.html: a one-page static report of the latest night (revenue by market and",
      "category with day-over-day change, India and Brazil, opt-in rates, top billing discrepancies,",
      "the night's data quality), charts as inline SVG. Opens in any browser, offline."
    })
public final class ReportCommand implements Callable<Integer> {
  @Option(names = "--warehouse", required = true, description = "warehouse root (path or Hadoop URI)")
  String warehouse;

  @Option(names = "--out", required = true, description = "folder to write index.html into")
  Path out;

  @Option(names = "--date", description = "revenue date to report (default: the latest with revenue)")
  LocalDate date;

  @Override
  public Integer call() throws IOException {
    Path page = write(Warehouse.open(SparkSessions.getOrCreate("chatledger-report"), warehouse), date, out);
    System.out.println("chatledger: report written to " + page.toAbsolutePath());
    return ChatLedger.EXIT_OK;
  }

  /** Writes DIR/index.html (atomically: a reader never opens half a page) for a date, or the latest. */
  static Path write(Warehouse w, LocalDate date, Path dir) throws IOException {
    NightReport report = new NightReport(w);
    String html = report.html(date != null ? date : report.latestRevenueDate());
    Files.createDirectories(dir);
    Path page = dir.resolve("index.html");
    Path partial = dir.resolve("index.html.tmp");
    Files.writeString(partial, html, StandardCharsets.UTF_8);
    Files.move(partial, page, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return page;
  }
}
