package dev.chatledger.jobs;

import dev.chatledger.jobs.tables.Table;
import java.time.LocalDate;

/**
 * The first date of each derived table that a night can change: a night re-derives those dates
 * from the silver rows they depend on and leaves every earlier date as it is, so its cost follows
 * what it brings, not the length of history. {@link #FULL} (every field null) re-derives all.
 * Computed by {@link NightScope} from the night's new silver rows.
 *
 * @param rating first sent date re-rated: every outbound message sent on or after it is re-rated,
 *     and so is every one delivered on or after it (their month's tier and quota order may
 *     change); also the first date of revenue, regional and business usage
 * @param ratedFrom first sent date of {@code silver.rated_messages} rewritten: that of the
 *     earliest message sent before {@code rating} and delivered after it
 * @param reconciliation first date of {@code gold.billing_reconciliation} and its daily summary
 * @param cohorts first prompt date of {@code gold.optin_cohorts}
 * @param consent first date of {@code gold.consent_daily} and first sent date of
 *     {@code gold.consent_violations}
 */
public record NightHorizon(LocalDate rating, LocalDate ratedFrom, LocalDate reconciliation, LocalDate cohorts, LocalDate consent) {
  public static final NightHorizon FULL = new NightHorizon(null, null, null, null, null);

  public boolean isFull() {
    return rating == null;
  }

  /** The first partition date of {@code t} this night re-derives; null for all of them. */
  public LocalDate from(Table t) {
    return switch (t) {
      case SILVER_RATED_MESSAGES -> ratedFrom;
      case GOLD_REVENUE_DAILY, GOLD_REGIONAL_USAGE_DAILY, GOLD_BUSINESS_USAGE_DAILY -> rating;
      case GOLD_BILLING_RECONCILIATION, GOLD_RECONCILIATION_DAILY -> reconciliation;
      case GOLD_OPTIN_COHORTS -> cohorts;
      case GOLD_CONSENT_DAILY, GOLD_CONSENT_VIOLATIONS -> consent;
      default -> throw new IllegalArgumentException(t.qualifiedName() + " is not derived");
    };
  }
}
