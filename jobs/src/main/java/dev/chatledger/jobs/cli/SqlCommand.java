package dev.chatledger.jobs.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_csv;
import static org.apache.spark.sql.functions.to_json;

import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.tables.Warehouse;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "sql", mixinStandardHelpOptions = true,
    description = {
      "Runs any Spark SQL against the warehouse. Tables are addressable by name:",
      "bronze.x, silver.x, gold.x, ops.x (e.g. SHOW TABLES IN silver)."
    })
public final class SqlCommand implements Callable<Integer> {
  enum Format { table, csv, json }

  @Option(names = "--warehouse", required = true, description = "warehouse root (path or Hadoop URI)")
  String warehouse;

  @Option(names = "--format", defaultValue = "table",
      description = "output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  Format format;

  @Option(names = "--max-rows", defaultValue = "1000", description = "rows shown by --format table (default: ${DEFAULT-VALUE})")
  int maxRows;

  @Parameters(index = "0", paramLabel = "QUERY", description = "the SQL statement")
  String query;

  @Override
  public Integer call() {
    SparkSession spark = SparkSessions.getOrCreate("chatledger-sql");
    Warehouse.open(spark, warehouse);
    print(spark.sql(query), format, maxRows, System.out);
    return ChatLedger.EXIT_OK;
  }

  /** Prints a query result; rows are streamed to the console, never collected at once. */
  static void print(Dataset<Row> result, Format format, int maxRows, PrintStream out) {
    switch (format) {
      case table -> {
        // show() prints to Scala's Console: route it to our stream
        scala.Console$.MODULE$.withOut(out, (scala.Function0<Object>) () -> {
          result.show(maxRows, false);
          return null;
        });
      }
      case csv -> {
        out.println(Arrays.stream(result.columns()).map(SqlCommand::csvField).collect(Collectors.joining(",")));
        Column[] flat = Arrays.stream(result.schema().fields()).map(SqlCommand::plain).toArray(Column[]::new);
        Dataset<String> lines = result.select(to_csv(struct(flat), Map.of(
            "timestampFormat", "yyyy-MM-dd'T'HH:mm:ss[.SSSSSS]'Z'", "nullValue", ""))).as(
            org.apache.spark.sql.Encoders.STRING());
        for (Iterator<String> it = lines.toLocalIterator(); it.hasNext(); ) {
          out.println(it.next());
        }
      }
      case json -> {
        for (Iterator<String> it = result.toJSON().toLocalIterator(); it.hasNext(); ) {
          out.println(it.next());
        }
      }
    }
    out.flush();
  }

  /** CSV cannot hold nested values: those become JSON text. */
  private static Column plain(StructField f) {
    Column c = col("`" + f.name() + "`");
    boolean nested = f.dataType() instanceof StructType || f.dataType() instanceof ArrayType
        || f.dataType() instanceof MapType;
    return (nested ? to_json(c) : c).as(f.name());
  }

  private static String csvField(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
