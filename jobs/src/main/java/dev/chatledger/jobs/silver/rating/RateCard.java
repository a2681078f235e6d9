package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The rate card (CONTRACT 1, 2, 7): for a (market, category), the rows with the newest
 * {@code effective_from} not after the business-LOCAL delivery date form the tier set in force;
 * the price is that of the highest {@code tier_from} <= n. No such set: price 0, unrated.
 */
public final class RateCard {
  public static final String AUTH = "authentication";
  public static final String AUTH_INTERNATIONAL = "authentication_international";

  private RateCard() {}

  /**
   * The card as versions: one row per (market, category, effective_from) with its
   * {@code effective_to} (the next version's start, exclusive) and its tiers sorted by tier_from.
   * The card is a few hundred rows: computed on the driver's side of a broadcast.
   */
  public static Dataset<Row> versions(Dataset<Row> rateCard) {
    Dataset<Row> sets = rateCard
        .groupBy("market", "category", "effective_from")
        .agg(array_sort(collect_list(struct(col("tier_from"), col("price"), col("currency")))).as("tiers"));
    return sets.withColumn("effective_to", lead(col("effective_from"), 1)
        .over(Window.partitionBy("market", "category").orderBy("effective_from")));
  }

  /**
   * {@code authentication} becomes {@code authentication_international} when the card has any
   * row of that category for the market and the business's country is known and differs from
   * the user's (CONTRACT 7). Adds {@code category}.
   */
  public static Dataset<Row> withCategory(Dataset<Row> messages, Dataset<Row> rateCard) {
    Dataset<Row> international = rateCard.where(col("category").equalTo(AUTH_INTERNATIONAL))
        .select(col("market").as("_intl_market")).distinct();
    Column becomesInternational = col("base_category").equalTo(AUTH)
        .and(col("_intl_market").isNotNull())
        .and(col("business_country").isNotNull())
        .and(col("business_country").notEqual(col("user_country")));
    return messages
        .join(broadcast(international), messages.col("market").equalTo(col("_intl_market")), "left")
        .withColumn("category", when(becomesInternational, lit(AUTH_INTERNATIONAL)).otherwise(col("base_category")))
        .drop("_intl_market");
  }

  /**
   * Prices billable messages: adds {@code tier_from}, {@code price}, {@code currency},
   * {@code rate_effective_from} and {@code is_unrated}. Needs market, category, timezone,
   * delivered_at, billable and {@code tier_position} (n, 0-based). Broadcast join, no shuffle.
   */
  public static Dataset<Row> price(Dataset<Row> messages, Dataset<Row> rateCard, String defaultCurrency) {
    Dataset<Row> v = versions(rateCard).select(
        col("market").as("_rc_market"), col("category").as("_rc_category"),
        col("effective_from").as("rate_effective_from"), col("effective_to").as("_rc_to"), col("tiers").as("_rc_tiers"));
    Column localDelivered = BusinessTime.localDate(col("delivered_at"));
    Column joinOn = col("billable")
        .and(col("market").equalTo(col("_rc_market")))
        .and(col("category").equalTo(col("_rc_category")))
        .and(localDelivered.geq(col("rate_effective_from")))
        .and(col("_rc_to").isNull().or(localDelivered.lt(col("_rc_to"))));
    Column tier = element_at(expr("filter(_rc_tiers, t -> t.tier_from <= tier_position)"), -1);
    Column rated = col("billable").and(col("_tier").isNotNull());
    return messages
        .join(broadcast(v), joinOn, "left")
        .withColumn("_tier", tier)
        .withColumn("is_unrated", col("billable").and(col("_tier").isNull()))
        .withColumn("tier_from", when(rated, col("_tier.tier_from")))
        .withColumn("price", when(rated, col("_tier.price")).otherwise(lit(0)).cast("decimal(18,6)"))
        .withColumn("currency", when(rated, col("_tier.currency")).otherwise(lit(defaultCurrency)))
        .withColumn("rate_effective_from", when(rated, col("rate_effective_from")))
        .drop("_rc_market", "_rc_category", "_rc_to", "_rc_tiers", "_tier");
  }

}
