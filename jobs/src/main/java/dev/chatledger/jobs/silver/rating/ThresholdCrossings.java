package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.array;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The tier and quota groups in which a night's re-rated messages may cross a threshold. A
 * re-rated message's tier count n lies between the month-to-date counter O of its group and
 * O + U - 1, where U bounds how many of the group's messages the night re-rates (its stored
 * re-rated rows plus the messages of the business and category that arrived tonight, in any
 * market). When no {@code tier_from} of the (market, category) lies in (O, O + U - 1], every n
 * there gives the same tier, so the
 * group's stored rows keep their price whatever the order tonight; likewise a phone number's
 * quota when O + U <= 1,000 (all free) or O >= 1,000 (all charged). Only the other groups need
 * the order, and with it every stored row of theirs ({@link PriorRating}). Small aggregates.
 */
public final class ThresholdCrossings {
  private ThresholdCrossings() {}

  /**
   * The (business_id, market, category) groups that may cross a tier threshold in one of
   * {@code months}.
   *
   * @param stored the stored rows the night re-rates
   * @param arrivals the outbound messages that arrived tonight (business_id, phone_number_id, type,
   *     template_category)
   * @param tierOffsets {@link Tiering#offsets}
   * @param rateCard {@code silver.rate_card}
   * @param months the local months ({@code YYYY-MM}) the re-rated messages can be delivered in
   */
  public static Dataset<Row> tiers(Dataset<Row> stored, Dataset<Row> arrivals, Dataset<Row> tierOffsets,
      Dataset<Row> rateCard, List<String> months) {
    // an arrival's category before the rate card: its template category, or service; an
    // authentication template may still become authentication_international (RateCard)
    Column baseCategory = when(col("type").equalTo("template"), col("template_category")).otherwise(lit("service"));
    Dataset<Row> arrived = arrivals.groupBy(col("business_id").as("_a_business"), baseCategory.as("_a_category"))
        .agg(count(lit(1)).as("_arrived"));
    Dataset<Row> groups = stored.groupBy("business_id", "market", "category").agg(count(lit(1)).as("_stored"));
    Dataset<Row> bound = groups
        .join(arrived, col("business_id").eqNullSafe(col("_a_business")).and(col("category").eqNullSafe(col("_a_category"))
            .or(col("category").equalTo(RateCard.AUTH_INTERNATIONAL).and(col("_a_category").equalTo(RateCard.AUTH)))), "left")
        .groupBy("business_id", "market", "category", "_stored").agg(sum(coalesce(col("_arrived"), lit(0L))).as("_arrived"))
        .withColumn("_u", col("_stored").plus(col("_arrived")))
        .withColumn("local_month", explode(array(months.stream().map(m -> lit(m)).toArray(Column[]::new))));
    Dataset<Row> thresholds = rateCard.where(col("tier_from").gt(0))
        .select(col("market").as("_t_market"), col("category").as("_t_category"), col("tier_from").as("_t_from")).distinct();
    Column offset = coalesce(col("tier_offset"), lit(0L));
    // no threshold for a null market or category: such a message is unrated at any n
    return nullSafeLeft(bound, tierOffsets, "business_id", "market", "category", "local_month")
        .join(thresholds, col("market").equalTo(col("_t_market")).and(col("category").equalTo(col("_t_category"))))
        .where(col("_t_from").gt(offset).and(col("_t_from").leq(offset.plus(col("_u")).minus(1))))
        .select("business_id", "market", "category").distinct();
  }

  /**
   * The phone numbers whose free service quota may run out among the night's re-rated messages
   * in one of {@code months}: O < 1,000 < O + U.
   */
  public static Dataset<Row> quota(Dataset<Row> stored, Dataset<Row> arrivals, Dataset<Row> quotaOffsets,
      List<String> months) {
    Column offset = coalesce(col("quota_offset"), lit(0L));
    // only a service message under pmp-2026-10 can use the quota (PricingPolicy); whether it is in
    // an entry point window may change tonight, so it is counted either way
    Dataset<Row> bound = nullSafeLeft(
            stored.where(col("type").notEqual("template").and(col("policy").equalTo(PricingPolicy.PMP_2026_10)))
                .groupBy("phone_number_id").agg(count(lit(1)).as("_stored")),
            arrivals.where(col("type").notEqual("template")).groupBy("phone_number_id").agg(count(lit(1)).as("_arrived")),
            "phone_number_id")
        .withColumn("_u", col("_stored").plus(coalesce(col("_arrived"), lit(0L))))
        .withColumn("local_month", explode(array(months.stream().map(m -> lit(m)).toArray(Column[]::new))));
    return nullSafeLeft(bound, quotaOffsets, "phone_number_id", "local_month")
        .where(offset.lt(ServiceQuota.FREE_SERVICE_MESSAGES_PER_MONTH)
            .and(offset.plus(col("_u")).gt(ServiceQuota.FREE_SERVICE_MESSAGES_PER_MONTH)))
        .select("phone_number_id").distinct();
  }

  /** {@code left} left-joined with {@code right} on {@code keys}, null-safe (a null key is a group too). */
  private static Dataset<Row> nullSafeLeft(Dataset<Row> left, Dataset<Row> right, String... keys) {
    Dataset<Row> r = right;
    Column on = lit(true);
    for (String k : keys) {
      r = r.withColumnRenamed(k, "_r_" + k);
      on = on.and(col(k).eqNullSafe(col("_r_" + k)));
    }
    Dataset<Row> joined = left.join(r, on, "left");
    for (String k : keys) {
      joined = joined.drop("_r_" + k);
    }
    return joined;
  }
}
