package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.tables.Warehouse;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {
      "Serves the warehouse's catalog (bronze, silver, gold, ops: the published versions) over",
      "Spark Connect on 127.0.0.1, for BI tools and notebooks with a Spark Connect client:",
      "  sc://127.0.0.1:PORT. Picks up each new publication within --refresh-seconds.",
      "Runs until stopped (Ctrl-C, SIGTERM)."
    })
public final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = "--warehouse", required = true, description = "warehouse root (path or Hadoop URI)")
  String warehouse;

  @Option(names = "--port", defaultValue = "15002", description = "TCP port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--refresh-seconds", defaultValue = "60",
      description = "how often to look for a newer publication (default: ${DEFAULT-VALUE})")
  int refreshSeconds;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 1 and 65535, got " + port);
    }
    // Static settings: they must be in place before the SparkContext starts the plugin.
    System.setProperty("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin");
    System.setProperty("spark.connect.grpc.binding.address", "127.0.0.1"); // never on a public interface
    System.setProperty("spark.connect.grpc.binding.port", Integer.toString(port));
    SparkSession spark = SparkSessions.getOrCreate("chatledger-serve");
    // The views live in the shared in-memory catalog, so every Connect session sees them.
    Map<String, Long> served = Warehouse.open(spark, warehouse).latestPublication();
    System.out.println("chatledger: serving " + warehouse + " on sc://127.0.0.1:" + port + " (Ctrl-C to stop)");
    System.out.flush();
    while (!Thread.currentThread().isInterrupted()) {
      Thread.sleep(refreshSeconds * 1000L);
      Warehouse w = Warehouse.open(spark, warehouse);
      Map<String, Long> latest = w.latestPublication();
      if (!Objects.equals(latest, served)) {
        LOG.info("serve: a new publication is visible now ({} tables)", latest == null ? 0 : latest.size());
        served = latest;
      }
    }
    return ChatLedger.EXIT_OK;
  }
}
