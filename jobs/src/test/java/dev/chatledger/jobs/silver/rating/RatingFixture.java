package dev.chatledger.jobs.silver.rating;

import dev.chatledger.jobs.SparkTestSupport;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/** Hand-written silver rows for rating tests; every instant is UTC. */
class RatingFixture extends SparkTestSupport {
  static final StructType MESSAGES = StructType.fromDDL(
      "message_id STRING, direction STRING, sent_at TIMESTAMP, business_id STRING, phone_number_id STRING, "
          + "user_key STRING, user_country STRING, type STRING, template_category STRING, "
          + "referral_source_type STRING, referral_source_id STRING");
  static final StructType STATUSES = StructType.fromDDL("message_id STRING, status STRING, status_at TIMESTAMP");
  static final StructType BUSINESSES = StructType.fromDDL("business_id STRING, country STRING, timezone STRING");
  static final StructType MARKETS = StructType.fromDDL("country STRING, market STRING");
  static final StructType RATE_CARD = StructType.fromDDL(
      "market STRING, category STRING, currency STRING, effective_from DATE, tier_from BIGINT, price DECIMAL(18,6)");

  final List<Row> messages = new ArrayList<>();
  final List<Row> statuses = new ArrayList<>();
  final List<Row> businesses = new ArrayList<>();
  final List<Row> markets = new ArrayList<>(List.of(
      RowFactory.create("IN", "India"), RowFactory.create("BR", "Brazil"), RowFactory.create("US", "North America")));
  final List<Row> rateCard = new ArrayList<>();

  RatingFixture() {
    business("b-in", "IN", "Asia/Kolkata");
    business("b-br", "BR", "America/Sao_Paulo");
    business("b-utc", "US", "UTC");
    rate("India", "marketing", "2025-07-01", 0, "0.0107");
    rate("India", "marketing", "2026-01-01", 0, "0.0118");
    rate("India", "utility", "2025-07-01", 0, "0.0014");
    rate("India", "authentication", "2025-07-01", 0, "0.0014");
    rate("India", "authentication_international", "2025-07-01", 0, "0.0280");
    rate("India", "service", "2026-10-01", 0, "0.0014");
    rate("Brazil", "marketing", "2025-07-01", 0, "0.0625");
    rate("Brazil", "utility", "2025-07-01", 0, "0.0068");
    rate("Brazil", "authentication", "2025-07-01", 0, "0.0068");
    rate("Brazil", "service", "2026-10-01", 0, "0.0068");
  }

  static Timestamp at(String instant) {
    return Timestamp.from(Instant.parse(instant));
  }

  RatingFixture business(String id, String country, String timezone) {
    businesses.add(RowFactory.create(id, country, timezone));
    return this;
  }

  RatingFixture rate(String market, String category, String from, long tierFrom, String price) {
    rateCard.add(RowFactory.create(market, category, "USD", Date.valueOf(from), tierFrom, new BigDecimal(price)));
    return this;
  }

  /** An inbound message from user u-1 (India) to b-in on pn-1. */
  RatingFixture inbound(String id, String sentAt) {
    return message(id, "inbound", sentAt, "b-in", "u-1", "IN", "text", null, null);
  }

  RatingFixture referral(String id, String sentAt) {
    return message(id, "inbound", sentAt, "b-in", "u-1", "IN", "text", null, "ad");
  }

  /** An outbound template from b-in on pn-1 to u-1, delivered 1 s after sending. */
  RatingFixture template(String id, String sentAt, String category) {
    message(id, "outbound", sentAt, "b-in", "u-1", "IN", "template", category, null);
    return delivered(id, Instant.parse(sentAt).plusSeconds(1).toString());
  }

  RatingFixture message(String id, String direction, String sentAt, String business, String user, String country,
      String type, String category, String referral) {
    messages.add(RowFactory.create(id, direction, at(sentAt), business, "pn-" + business, user, country, type,
        category, referral, referral == null ? null : "ad-1"));
    return this;
  }

  RatingFixture delivered(String id, String at) {
    return status(id, "delivered", at);
  }

  RatingFixture status(String id, String status, String at) {
    statuses.add(RowFactory.create(id, status, at(at)));
    return this;
  }

  Dataset<Row> rated() {
    return MessageRating.rate(df(messages, MESSAGES), df(statuses, STATUSES), df(businesses, BUSINESSES),
        df(markets, MARKETS), df(rateCard, RATE_CARD));
  }

  /** message_id -> its rated row. */
  Map<String, Row> rate() {
    Map<String, Row> byId = new HashMap<>();
    for (Row r : rated().collectAsList()) {
      byId.put(r.getAs("message_id"), r);
    }
    return byId;
  }

  static Dataset<Row> df(List<Row> rows, StructType schema) {
    return SPARK.createDataFrame(rows, schema);
  }
}
