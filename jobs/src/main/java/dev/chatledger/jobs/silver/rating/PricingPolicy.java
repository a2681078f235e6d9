package dev.chatledger.jobs.silver.rating;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The pricing policy in force on the business-LOCAL date of sending decides whether a message
 * is free (CONTRACT 2):
 *
 * <pre>
 * policy        template in FEP    utility template          marketing/auth   non-template (service)
 * pmp-2025-07   free_entry_point   in CSW: free_cust._serv.   regular          free_customer_service
 *                                  else regular
 * pmp-2026-10   free_entry_point   regular                    regular          in FEP: free_entry_point;
 *                                                                              else the service quota
 * </pre>
 *
 * Before 2025-07-01 there is no policy: such messages get no policy and no pricing type and are
 * priced 0 as {@code unrated} (chatledger's reading; the contract only says "unrated").
 */
public final class PricingPolicy {
  public static final String PMP_2025_07 = "pmp-2025-07";
  public static final String PMP_2026_10 = "pmp-2026-10";
  public static final LocalDate PMP_2025_07_FROM = LocalDate.parse("2025-07-01");
  public static final LocalDate PMP_2026_10_FROM = LocalDate.parse("2026-10-01");
  /** A service message whose price the monthly free quota decides (see {@link ServiceQuota}). */
  static final String QUOTA_PENDING = "quota";

  private PricingPolicy() {}

  /**
   * Adds {@code policy}, {@code base_category} (template category, {@code service} for the rest)
   * and {@code pricing_type} (or {@link #QUOTA_PENDING}). Needs timezone, sent_at, type,
   * template_category and the two window columns.
   */
  /**
   * Whether the service quota decides the message's pricing type (the table's last column): a
   * non-template message under {@code pmp-2026-10} outside an entry point window. Needs policy.
   */
  static Column decidedByQuota() {
    return col("policy").equalTo(PMP_2026_10).and(col("type").notEqual("template"))
        .and(col("entry_point_opened_at").isNull());
  }

  public static Dataset<Row> apply(Dataset<Row> outbound) {
    Column localSent = BusinessTime.localDate(col("sent_at"));
    Column policy = when(localSent.geq(lit(java.sql.Date.valueOf(PMP_2026_10_FROM))), lit(PMP_2026_10))
        .when(localSent.geq(lit(java.sql.Date.valueOf(PMP_2025_07_FROM))), lit(PMP_2025_07));
    Column template = col("type").equalTo("template");
    Column inFep = col("entry_point_opened_at").isNotNull();
    Column inCsw = col("service_window_opened_at").isNotNull();
    Column pricingType =
        when(col("policy").isNull(), lit(null).cast("string"))
            .when(template.and(inFep), lit("free_entry_point"))
            .when(template.and(col("template_category").equalTo("utility"))
                .and(col("policy").equalTo(PMP_2025_07)).and(inCsw), lit("free_customer_service"))
            .when(template, lit("regular"))
            .when(col("policy").equalTo(PMP_2025_07), lit("free_customer_service"))
            .when(inFep, lit("free_entry_point"))
            .otherwise(lit(QUOTA_PENDING));
    return outbound
        .withColumn("policy", policy)
        .withColumn("base_category", when(template, col("template_category")).otherwise(lit("service")))
        .withColumn("pricing_type", pricingType);
  }
}
