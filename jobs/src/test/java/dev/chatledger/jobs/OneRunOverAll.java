package dev.chatledger.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.datasets.contract.Feed;
import dev.chatledger.jobs.bronze.LandedLines;
import dev.chatledger.jobs.bronze.LineParser;
import dev.chatledger.jobs.bronze.ReferenceFiles;
import dev.chatledger.jobs.silver.Deduplication;
import dev.chatledger.jobs.silver.Pseudonymization;
import dev.chatledger.jobs.gold.BillingReconciliation;
import dev.chatledger.jobs.gold.GoldLayer;
import dev.chatledger.jobs.silver.rating.MessageRating;
import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * The silver tables and the rating of a whole landing zone computed in ONE pass, with the same
 * transformations the nightly job chains: the reference a night-by-night run must equal.
 */
final class OneRunOverAll {
  final Map<Feed, Dataset<Row>> silver = new EnumMap<>(Feed.class);
  final Dataset<Row> markets;
  final Dataset<Row> rateCard;
  final Dataset<Row> businesses;

  OneRunOverAll(SparkSession spark, Path landing, String key) {
    for (Feed feed : Feed.values()) {
      Dataset<Row> lines = null;
      for (LocalDate dt : LandedLines.arrivalDates(spark, landing.toString())) {
        Dataset<Row> day = LandedLines.read(spark, LandedLines.files(spark, landing.toString(), feed.folder(), dt), dt);
        lines = lines == null ? day : lines.unionByName(day);
      }
      Dataset<Row> parsed = LineParser.parse(lines, feed);
      if (!feed.hasUserIdentity()) {
        Column none = lit(null).cast(DataTypes.StringType);
        parsed = parsed.withColumn("user_phone", none).withColumn("user_id", none).withColumn("phone_region", none);
      }
      Dataset<Row> valid = Pseudonymization.pseudonymize(parsed, key).where(col(LineParser.REASON).isNull());
      // cached: the tests use each of them several times, and parsing is the expensive part
      silver.put(feed, Deduplication.classify(valid, valid.limit(0), feed.keyField())
          .where(col(Deduplication.OUTCOME).equalTo(Deduplication.FIRST)).cache());
    }
    markets = reference(spark, landing, ReferenceFiles.MARKETS);
    rateCard = reference(spark, landing, ReferenceFiles.RATE_CARD);
    businesses = reference(spark, landing, ReferenceFiles.BUSINESSES);
  }

  Dataset<Row> rated() {
    return MessageRating.rate(silver.get(Feed.MESSAGES), silver.get(Feed.STATUSES), businesses, markets, rateCard);
  }

  /** Every gold table computed once over the whole landing zone, as of the last night. */
  Map<Table, Dataset<Row>> gold(LocalDate lastNight) {
    Dataset<Row> rated = rated();
    Dataset<Row> messages = silver.get(Feed.MESSAGES);
    Dataset<Row> consents = silver.get(Feed.CONSENTS);
    Dataset<Row> reconciliation = BillingReconciliation.reconcile(rated, silver.get(Feed.BILLING));
    return GoldLayer.derive(new GoldLayer.Inputs(rated, reconciliation, messages, consents, markets, businesses),
        lastNight);
  }

  /**
   * Asserts that each of {@code tables}, as {@code warehouse} holds it after the nights of
   * {@code landing} up to {@code lastNight}, has the rows of one run over all of them.
   */
  static void assertSameRows(SparkSession spark, Path landing, LocalDate lastNight, Warehouse warehouse,
      List<Table> tables) {
    Map<Table, Dataset<Row>> once = new OneRunOverAll(spark, landing, HmacKey.DEMO_KEY).gold(lastNight);
    for (Table table : tables) {
      Column[] c = Arrays.stream(table.schema().fields())
          .map(f -> col(f.name()).cast(f.dataType()).as(f.name())).toArray(Column[]::new);
      Dataset<Row> expected = once.get(table).select(c);
      Dataset<Row> actual = warehouse.read(table).select(c);
      assertThat(actual.count()).as(table.qualifiedName()).isPositive().isEqualTo(expected.count());
      assertThat(actual.exceptAll(expected).count()).as(table.qualifiedName()).isZero();
    }
  }

  private static Dataset<Row> reference(SparkSession spark, Path landing, ReferenceFiles ref) {
    String file = landing.resolve("reference").resolve(ref.fileName()).toUri().toString();
    return ref.parse(LandedLines.read(spark, List.of(file), LocalDate.EPOCH)).where(col(LineParser.REASON).isNull());
  }


}
