package dev.chatledger.datasets.contract;

/** The JSON shape a landed field must have (CONTRACT section 1). */
public enum FieldType {
  /** A JSON string. */
  STRING,
  /** A JSON integer number. */
  INTEGER,
  /** A JSON string holding an ISO-8601 instant with a zone (CONTRACT 7). */
  INSTANT,
  /** A JSON string holding a non-negative decimal with at most 6 decimals (billing amounts). */
  DECIMAL_STRING,
  /** A JSON object (template, referral). */
  OBJECT
}
