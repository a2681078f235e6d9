package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
    description = {
      "Writes a table's published snapshot as plain Parquet or CSV files (CSV with a header row),",
      "for tools that cannot read Delta. OUT is replaced."
    })
public final class ExportCommand implements Callable<Integer> {
  enum Format { parquet, csv }

  @Option(names = "--warehouse", required = true, description = "warehouse root (path or Hadoop URI)")
  String warehouse;

  @Option(names = "--table", required = true, description = "table name, e.g. gold.revenue_daily")
  String table;

  @Option(names = "--format", defaultValue = "parquet", description = "parquet or csv (default: ${DEFAULT-VALUE})")
  Format format;

  @Option(names = "--out", required = true, description = "output folder (path or Hadoop URI)")
  String out;

  @Option(names = "--where", description = "SQL condition on the table's columns, e.g. \"date >= DATE'2026-11-01'\"")
  String where;

  @Override
  public Integer call() {
    Table t = Arrays.stream(Table.values()).filter(x -> x.qualifiedName().equals(table)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown table " + table + "; tables: "
            + Arrays.stream(Table.values()).map(Table::qualifiedName).collect(Collectors.joining(", "))));
    SparkSession spark = SparkSessions.getOrCreate("chatledger-export");
    Warehouse w = Warehouse.open(spark, warehouse);
    if (!spark.catalog().tableExists(t.qualifiedName())) {
      throw new IllegalArgumentException(table + " has not been published in " + warehouse);
    }
    Dataset<Row> rows = spark.table(t.qualifiedName()); // the published snapshot readers see
    if (where != null) {
      rows = rows.where(where);
    }
    if (format == Format.csv) {
      // CSV has no map type: such columns (ops.runs.counts) are written as JSON text
      rows = rows.select(Arrays.stream(rows.schema().fields())
          .map(f -> f.dataType() instanceof org.apache.spark.sql.types.MapType
              ? org.apache.spark.sql.functions.to_json(org.apache.spark.sql.functions.col(f.name())).as(f.name())
              : org.apache.spark.sql.functions.col(f.name()))
          .toArray(org.apache.spark.sql.Column[]::new));
      rows.write().mode(SaveMode.Overwrite).option("header", "true").csv(out);
    } else {
      rows.write().mode(SaveMode.Overwrite).parquet(out);
    }
    long n = spark.read().format(format.name()).option("header", "true").load(out).count();
    System.out.printf("exported %,d rows of %s to %s (%s)%n", n, table, out, format);
    return ChatLedger.EXIT_OK;
  }
}
