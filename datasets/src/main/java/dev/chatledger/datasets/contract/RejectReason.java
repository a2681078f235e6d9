package dev.chatledger.datasets.contract;

/**
 * Why a landed line was rejected, in the order a line is checked (CONTRACT 7): the first failing
 * check names the reason. {@link #CONFLICTING_DUPLICATE} is decided later, by deduplication.
 */
public enum RejectReason {
  INVALID_JSON,
  MISSING_FIELD,
  WRONG_TYPE,
  UNKNOWN_ENUM,
  BAD_TIMESTAMP,
  INVALID_PHONE,
  INVALID_USER_ID,
  NEGATIVE_AMOUNT,
  BAD_AMOUNT,
  CONFLICTING_DUPLICATE;

  /** The name stored in {@code ops.rejected.reason}. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
