package dev.chatledger.connect;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.connect.SparkSession;

/**
 * Runs SQL against a {@code chatledger serve} endpoint with Spark's JVM Connect client and prints
 * the rows as CSV (header first): what a BI tool or a notebook with a Connect client does.
 *
 * <p>Usage: {@code ConnectQuery sc://127.0.0.1:15002 "SELECT ..." ["SELECT ..." ...]}
 */
public final class ConnectQuery {
  private ConnectQuery() {}

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: ConnectQuery sc://HOST:PORT SQL [SQL ...]");
      System.exit(2);
    }
    SparkSession spark = SparkSession.builder().remote(args[0]).getOrCreate();
    try {
      for (int i = 1; i < args.length; i++) {
        Dataset<Row> rows = spark.sql(args[i]);
        System.out.println(String.join(",", rows.columns()));
        List<Row> result = rows.collectAsList(); // a query result, small by construction
        for (Row r : result) {
          System.out.println(r.toSeq().toList().mkString(","));
        }
      }
    } finally {
      spark.close();
    }
  }
}
