package dev.chatledger.jobs;

import dev.chatledger.jobs.bronze.LandedLines;
import dev.chatledger.jobs.config.SparkSessions;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/** One local SparkSession for the whole test JVM (local[2], tiny shuffles), and row helpers. */
public abstract class SparkTestSupport {
  protected static final SparkSession SPARK = session();

  private static SparkSession session() {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.sql.shuffle.partitions", "2");
    System.setProperty("spark.default.parallelism", "2");
    return SparkSessions.getOrCreate("chatledger-tests", true);
  }

  /** Landed lines of one file on one arrival date, offsets as if each line were 100 bytes. */
  protected static Dataset<Row> landed(String dt, String file, String... lines) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      rows.add(RowFactory.create(Date.valueOf(LocalDate.parse(dt)), file, 100L * i, lines[i]));
    }
    return SPARK.createDataFrame(rows, LandedLines.SCHEMA);
  }
}
