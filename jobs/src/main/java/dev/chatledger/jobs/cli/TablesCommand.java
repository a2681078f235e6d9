package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import io.delta.tables.DeltaTable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tables", mixinStandardHelpOptions = true,
    description = {
      "Lists the warehouse's tables as readers see them: layer, grain, rows, the Delta version",
      "published, when it was written and the run that wrote it (docs/tables.md has the columns)."
    })
public final class TablesCommand implements Callable<Integer> {
  private static final StructType LISTING = StructType.fromDDL(
      "table STRING, layer STRING, grain STRING, `rows` BIGINT, version BIGINT, last_update TIMESTAMP, written_by STRING");

  @Option(names = "--warehouse", required = true, description = "warehouse root (path or Hadoop URI)")
  String warehouse;

  @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default: ${DEFAULT-VALUE})")
  SqlCommand.Format format;

  @Override
  public Integer call() {
    SparkSession spark = SparkSessions.getOrCreate("chatledger-tables");
    Warehouse w = Warehouse.open(spark, warehouse);
    Map<String, Long> published = w.latestPublication();
    List<Row> publications = w.exists(Table.OPS_PUBLICATIONS)
        ? w.read(Table.OPS_PUBLICATIONS).orderBy("published_at").collectAsList() // one row per run
        : List.of();
    List<Row> listing = new ArrayList<>();
    for (Table t : Table.values()) {
      if (!w.exists(t) || (!t.isAuditLog() && published != null && !published.containsKey(t.qualifiedName()))) {
        continue; // not there, or not published yet
      }
      long version = t.isAuditLog() || published == null ? w.version(t) : published.get(t.qualifiedName());
      Row h = DeltaTable.forPath(spark, w.path(t)).history().where("version = " + version)
          .select("timestamp").first();
      String writtenBy = null;
      for (Row p : publications) {
        Map<String, Long> versions = p.getJavaMap(p.fieldIndex("versions"));
        if (Long.valueOf(version).equals(versions.get(t.qualifiedName()))) {
          writtenBy = p.getAs("run_id");
          break;
        }
      }
      long rows = spark.sql("SELECT count(*) FROM " + t.qualifiedName()).first().getLong(0);
      listing.add(RowFactory.create(t.qualifiedName(), t.layer().schema(), t.grain(), rows, version,
          (Timestamp) h.get(0), writtenBy));
    }
    SqlCommand.print(spark.createDataFrame(listing, LISTING), format, 1000, System.out);
    return ChatLedger.EXIT_OK;
  }
}
