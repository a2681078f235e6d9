package dev.chatledger.jobs.bronze;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.chatledger.datasets.contract.Enums;
import dev.chatledger.datasets.contract.RejectReason;
import dev.chatledger.datasets.contract.UserIdentity;
import dev.chatledger.jobs.tables.Table;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The reference CSVs ({@code <landing>/reference/*.csv}, full snapshots): parsed line by line
 * with the registry's column order, checked, and split into usable rows and rejected ones.
 */
public enum ReferenceFiles {
  MARKETS("markets.csv", Table.SILVER_MARKETS),
  RATE_CARD("rate_card.csv", Table.SILVER_RATE_CARD),
  BUSINESSES("businesses.csv", Table.SILVER_BUSINESSES);

  private final String fileName;
  private final Table table;

  ReferenceFiles(String fileName, Table table) {
    this.fileName = fileName;
    this.table = table;
  }

  public String fileName() {
    return fileName;
  }

  public Table table() {
    return table;
  }

  /** The name used in {@code ops.rejected.feed}. */
  public String feedName() {
    return "reference/" + fileName;
  }

  /**
   * Adds the typed columns of the table and {@link LineParser#REASON} to the file's lines (header
   * line excluded).
   */
  public Dataset<Row> parse(Dataset<Row> lines) {
    StructType raw = new StructType(Arrays.stream(table.schema().fields())
        .map(f -> new StructField(f.name(), DataTypes.StringType, true, org.apache.spark.sql.types.Metadata.empty()))
        .toArray(StructField[]::new));
    Dataset<Row> headerless = lines.where(col("line_offset").gt(0))
        .withColumn("_r", org.apache.spark.sql.functions.from_csv(col("line"), lit(raw.toDDL()),
            java.util.Map.of("mode", "PERMISSIVE")));
    for (StructField f : raw.fields()) {
      headerless = headerless.withColumn("_" + f.name(), expr("nullif(trim(_r." + f.name() + "), '')"));
    }
    List<String> missing = new ArrayList<>();
    for (StructField f : raw.fields()) {
      missing.add("_" + f.name() + " IS NULL");
    }
    String wrongType = "false";
    String unknownEnum = "false";
    String badTimestamp = "false";
    String negative = "false";
    String badAmount = "false";
    String isoCountries = quoted(UserIdentity.isoCountries().stream().sorted().toList());
    switch (this) {
      case MARKETS -> unknownEnum = "_country NOT IN (" + isoCountries + ")";
      case RATE_CARD -> {
        wrongType = "try_cast(_tier_from AS BIGINT) IS NULL OR try_cast(_tier_from AS BIGINT) < 0 "
            + "OR NOT _price RLIKE '^-?[0-9]+(\\\\.[0-9]+)?$'";
        unknownEnum = "_category NOT IN (" + quoted(Arrays.asList(Enums.BILLING_CATEGORIES))
            + ") OR _currency NOT IN (" + quoted(Arrays.asList(Enums.CURRENCIES)) + ")";
        badTimestamp = "try_to_date(_effective_from, 'yyyy-MM-dd') IS NULL";
        negative = "try_cast(_price AS DECIMAL(38,18)) < 0";
        badAmount = "length(regexp_extract(_price, '\\\\.([0-9]+)$', 1)) > 6";
      }
      case BUSINESSES -> {
        wrongType = "lower(_verified) NOT IN ('true', 'false')";
        unknownEnum = "_country NOT IN (" + isoCountries + ") OR _account_type NOT IN ("
            + quoted(Arrays.asList(Enums.ACCOUNT_TYPES)) + ") OR _timezone NOT IN ("
            + quoted(ZoneId.getAvailableZoneIds().stream().sorted().toList()) + ")";
        badTimestamp = "try_cast(_registered_at AS TIMESTAMP) IS NULL";
      }
    }
    Column reason = when(expr(String.join(" OR ", missing)), lit(RejectReason.MISSING_FIELD.code()))
        .when(expr("coalesce(" + wrongType + ", true)"), lit(RejectReason.WRONG_TYPE.code()))
        .when(expr("coalesce(" + unknownEnum + ", true)"), lit(RejectReason.UNKNOWN_ENUM.code()))
        .when(expr("coalesce(" + badTimestamp + ", true)"), lit(RejectReason.BAD_TIMESTAMP.code()))
        .when(expr("coalesce(" + negative + ", false)"), lit(RejectReason.NEGATIVE_AMOUNT.code()))
        .when(expr("coalesce(" + badAmount + ", false)"), lit(RejectReason.BAD_AMOUNT.code()));
    Dataset<Row> out = headerless.withColumn(LineParser.REASON, reason);
    for (StructField f : table.schema().fields()) {
      Column typed = f.dataType().equals(DataTypes.DateType)
          ? expr("try_to_date(_" + f.name() + ", 'yyyy-MM-dd')")
          : expr("try_cast(_" + f.name() + " AS " + f.dataType().sql() + ")");
      out = out.withColumn(f.name(), typed);
    }
    return out;
  }

  private static String quoted(List<String> values) {
    return values.stream().map(s -> "'" + s.replace("'", "") + "'").collect(Collectors.joining(", "));
  }
}
