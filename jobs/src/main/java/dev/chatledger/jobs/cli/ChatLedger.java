package dev.chatledger.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code chatledger} command line: one subcommand per verb. */
@Command(
    name = "chatledger",
    mixinStandardHelpOptions = true,
    version = "chatledger 0.1.0",
    description = "Nightly analytics pipeline for business messaging platforms (Spark + Delta Lake).",
    subcommands = {
      GenerateCommand.class,
      NightlyCommand.class,
      BackfillCommand.class,
      RebuildCommand.class,
      SqlCommand.class,
      TablesCommand.class,
      ExportCommand.class,
      DictionaryCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      ExplainCommand.class,
      ServeCommand.class,
      ReportCommand.class,
      MaintainCommand.class,
      EraseCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 ok, 1 failure, 2 usage error (bad option, missing key or input),",
      "3 data-quality gate failed (nothing published; see ops.data_quality),",
      "4 busy (another nightly, backfill or rebuild is writing the warehouse).",
      "Run 'chatledger COMMAND --help' for a command's options."
    })
public final class ChatLedger implements Runnable {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_QUALITY_GATE = 3;
  public static final int EXIT_BUSY = 4;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (tests call this instead of main). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new ChatLedger());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof dev.chatledger.jobs.ops.WriterLock.Busy) {
        commandLine.getErr().println("chatledger: busy: " + e.getMessage());
        return EXIT_BUSY;
      }
      if (e instanceof dev.chatledger.jobs.ops.DataQuality.GateFailed) {
        commandLine.getErr().println("chatledger: quality gate: " + e.getMessage());
        return EXIT_QUALITY_GATE;
      }
      if (e instanceof IllegalArgumentException) {
        commandLine.getErr().println("chatledger: " + e.getMessage());
        return EXIT_USAGE;
      }
      commandLine.getErr().println("chatledger: failed: " + e);
      org.slf4j.LoggerFactory.getLogger(ChatLedger.class).error("command failed", e);
      return EXIT_FAILURE;
    });
    return cli.execute(args);
  }
}
