package dev.chatledger.jobs.gold;

import dev.chatledger.jobs.SparkTestSupport;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/** Hand-written consent events, messages and rated messages for the adoption tables; UTC. */
class AdoptionFixture extends SparkTestSupport {
  static final StructType CONSENTS = StructType.fromDDL(
      "event_id STRING, business_id STRING, user_key STRING, user_country STRING, action STRING, occurred_at TIMESTAMP");
  static final StructType MESSAGES = StructType.fromDDL(
      "message_id STRING, direction STRING, sent_at TIMESTAMP, business_id STRING, user_key STRING, "
          + "user_country STRING, type STRING");
  static final StructType RATED = StructType.fromDDL(
      "message_id STRING, business_id STRING, user_key STRING, user_country STRING, market STRING, type STRING, "
          + "template_category STRING, sent_at TIMESTAMP, sent_date DATE, delivered_at TIMESTAMP, read_at TIMESTAMP, "
          + "revenue_date DATE, billable BOOLEAN, price DECIMAL(18,6)");
  static final StructType MARKETS = StructType.fromDDL("country STRING, market STRING");
  static final StructType BUSINESSES = StructType.fromDDL(
      "business_id STRING, country STRING, account_type STRING, verified BOOLEAN, registered_at TIMESTAMP");

  final List<Row> consents = new ArrayList<>();
  final List<Row> inbound = new ArrayList<>();
  final List<Row> rated = new ArrayList<>();
  final List<Row> businesses = new ArrayList<>();
  final List<Row> markets = List.of(RowFactory.create("IN", "India"), RowFactory.create("BR", "Brazil"));
  private int eventSeq;

  static Timestamp at(String instant) {
    return instant == null ? null : Timestamp.from(Instant.parse(instant));
  }

  /** A consent event of business b-1 and the user; event ids follow insertion order. */
  AdoptionFixture consent(String user, String action, String occurredAt) {
    return consent(String.format("c-%03d", ++eventSeq), user, action, occurredAt);
  }

  AdoptionFixture consent(String eventId, String user, String action, String occurredAt) {
    consents.add(RowFactory.create(eventId, "b-1", user, "IN", action, at(occurredAt)));
    return this;
  }

  AdoptionFixture inbound(String id, String business, String user, String country, String type, String sentAt) {
    inbound.add(RowFactory.create(id, "inbound", at(sentAt), business, user, country, type));
    return this;
  }

  /** An outbound template of b-1 to an Indian user; delivered/read instants may be null. */
  AdoptionFixture template(String id, String user, String category, String sentAt, String deliveredAt) {
    return outbound(id, "b-1", user, "template", category, sentAt, deliveredAt, null, "0");
  }

  AdoptionFixture outbound(String id, String business, String user, String type, String category, String sentAt,
      String deliveredAt, String readAt, String price) {
    Timestamp delivered = at(deliveredAt);
    BigDecimal p = new BigDecimal(price);
    rated.add(RowFactory.create(id, business, user, "IN", "India", type, category, at(sentAt), date(sentAt),
        delivered, at(readAt), date(deliveredAt), delivered != null && p.signum() > 0, p));
    return this;
  }

  AdoptionFixture business(String id, String country, String accountType, boolean verified, String registeredAt) {
    businesses.add(RowFactory.create(id, country, accountType, verified, at(registeredAt)));
    return this;
  }

  private static Date date(String instant) {
    return instant == null ? null : Date.valueOf(Instant.parse(instant).toString().substring(0, 10));
  }

  Dataset<Row> consents() {
    return SPARK.createDataFrame(consents, CONSENTS);
  }

  Dataset<Row> rated() {
    return SPARK.createDataFrame(rated, RATED);
  }

  Dataset<Row> messages() {
    return SPARK.createDataFrame(inbound, MESSAGES);
  }

  /** The message ids of {@code ids}: a night's arrivals. */
  static Dataset<Row> messageIds(String... ids) {
    return SPARK.createDataset(List.of(ids), org.apache.spark.sql.Encoders.STRING()).toDF("message_id");
  }

  Dataset<Row> markets() {
    return SPARK.createDataFrame(markets, MARKETS);
  }

  Dataset<Row> businesses() {
    return SPARK.createDataFrame(businesses, BUSINESSES);
  }

  /** The rows of a table keyed by the string form of their key columns, joined by "|". */
  static Map<String, Row> byKey(Dataset<Row> table, String... keyColumns) {
    Map<String, Row> rows = new HashMap<>();
    for (Row r : table.collectAsList()) {
      StringBuilder k = new StringBuilder();
      for (String c : keyColumns) {
        k.append(k.length() == 0 ? "" : "|").append(String.valueOf((Object) r.getAs(c)));
      }
      rows.put(k.toString(), r);
    }
    return rows;
  }

  Map<String, Row> cohorts(String runDate) {
    return byKey(OptInCohorts.from(consents(), LocalDate.parse(runDate)), "prompt_date", "user_country");
  }

  Map<String, Row> consentDaily() {
    return byKey(ConsentDaily.from(consents(), rated()), "date");
  }

  Map<String, Row> violations() {
    return byKey(ConsentViolations.from(rated(), consents()), "message_id");
  }

  Map<String, Row> regional() {
    return byKey(RegionalUsageDaily.from(messages(), rated(), markets()), "date", "user_country");
  }

  Map<String, Row> businessUsage() {
    return byKey(BusinessUsageDaily.from(RegionalUsageDaily.usage(messages(), rated(), markets()), rated(),
        businesses()), "date", "business_country", "account_type");
  }
}
