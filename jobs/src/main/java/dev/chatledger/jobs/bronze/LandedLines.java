package dev.chatledger.jobs.bronze;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Reads the lines of the files that arrived on one date: {@code <landing>/<feed>/dt=D/*.jsonl}
 * (or {@code .jsonl.gz}). Each line keeps its file and byte offset, which order copies for
 * deduplication. Blank lines are skipped (CONTRACT 7); every other line comes out.
 */
public final class LandedLines {
  public static final StructType SCHEMA = new StructType()
      .add("dt", DataTypes.DateType, false)
      .add("source_file", DataTypes.StringType, false)
      .add("line_offset", DataTypes.LongType, false)
      .add("line", DataTypes.StringType, false);

  private LandedLines() {}

  /** The landed files of one feed folder and arrival date, sorted by name; empty if none. */
  public static List<String> files(SparkSession spark, String landing, String folder, LocalDate dt) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path dir = new Path(landing + "/" + folder + "/dt=" + dt);
    List<String> files = new ArrayList<>();
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        return files;
      }
      for (FileStatus st : fs.listStatus(dir)) {
        String name = st.getPath().getName();
        if (st.isFile() && (name.endsWith(".jsonl") || name.endsWith(".jsonl.gz"))) {
          files.add(fs.makeQualified(st.getPath()).toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    files.sort(String::compareTo);
    return files;
  }

  /** Every arrival date present in the landing zone, across the four feeds, in order. */
  public static List<LocalDate> arrivalDates(SparkSession spark, String landing) {
    java.util.TreeSet<LocalDate> dates = new java.util.TreeSet<>();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      for (dev.chatledger.datasets.contract.Feed feed : dev.chatledger.datasets.contract.Feed.values()) {
        Path dir = new Path(landing + "/" + feed.folder());
        FileSystem fs = dir.getFileSystem(conf);
        if (!fs.exists(dir)) {
          continue;
        }
        for (FileStatus st : fs.listStatus(dir)) {
          String name = st.getPath().getName();
          if (st.isDirectory() && name.startsWith("dt=")) {
            dates.add(LocalDate.parse(name.substring(3)));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + landing + ": " + e.getMessage(), e);
    }
    return List.copyOf(dates);
  }

  private static long totalBytes(Configuration conf, List<String> files) {
    long bytes = 0;
    try {
      for (String f : files) {
        Path p = new Path(f);
        bytes += p.getFileSystem(conf).getFileStatus(p).getLen();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes;
  }

  /** The non-blank lines of {@code files}, with arrival date, file and offset. */
  @SuppressWarnings("unchecked")
  public static Dataset<Row> read(SparkSession spark, List<String> files, LocalDate dt) {
    if (files.isEmpty()) {
      return spark.createDataFrame(List.of(), SCHEMA);
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration conf = new Configuration(spark.sparkContext().hadoopConfiguration());
    conf.set("mapreduce.input.fileinputformat.inputdir", String.join(",", files.stream()
        .map(f -> f.replace(",", "\\,")).toList()));
    JavaNewHadoopRDD<LongWritable, Text> rdd = (JavaNewHadoopRDD<LongWritable, Text>)
        jsc.newAPIHadoopRDD(conf, TextInputFormat.class, LongWritable.class, Text.class);
    Date arrival = Date.valueOf(dt);
    JavaRDD<Row> rows = rdd.mapPartitionsWithInputSplit(
        (InputSplit split, Iterator<Tuple2<LongWritable, Text>> it) -> {
          String file = ((FileSplit) split).getPath().toString();
          return new Iterator<Row>() {
            private Row next = advance();

            private Row advance() {
              while (it.hasNext()) {
                Tuple2<LongWritable, Text> t = it.next();
                Text text = t._2();
                String line = new String(text.getBytes(), 0, text.getLength(), StandardCharsets.UTF_8);
                if (!line.isBlank()) {
                  return RowFactory.create(arrival, file, t._1().get(), line);
                }
              }
              return null;
            }

            @Override
            public boolean hasNext() {
              return next != null;
            }

            @Override
            public Row next() {
              Row r = next;
              next = advance();
              return r;
            }
          };
        },
        false);
    // one task per file is wasteful for the many small files of a quiet night: pack them into
    // about one partition per 64 MB (no shuffle), but keep at least one per core for big nights
    int target = (int) Math.max(1, Math.min(rdd.getNumPartitions(), Math.ceil(totalBytes(conf, files) / (64.0 * 1024 * 1024))));
    if (target < rdd.getNumPartitions()) {
      int cores = spark.sparkContext().defaultParallelism();
      rows = rows.coalesce(Math.min(rdd.getNumPartitions(), Math.max(target, target > 1 ? cores : 1)));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

}
