package dev.chatledger.jobs.tables;

/** The warehouse layers; each is a catalog schema and a folder under the warehouse. */
public enum Layer {
  /** Every parseable landed line, typed and pseudonymized, duplicates included, with lineage. */
  BRONZE,
  /** Clean, deduplicated records and the current reference data. */
  SILVER,
  /** Metrics at a stated grain. */
  GOLD,
  /** The pipeline's own records: runs, rejected lines. */
  OPS;

  public String schema() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
