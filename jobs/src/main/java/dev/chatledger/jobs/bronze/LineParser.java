package dev.chatledger.jobs.bronze;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import dev.chatledger.datasets.contract.Enums;
import dev.chatledger.datasets.contract.FieldSpec;
import dev.chatledger.datasets.contract.FieldType;
import dev.chatledger.datasets.contract.Feed;
import dev.chatledger.datasets.contract.RejectReason;
import dev.chatledger.datasets.contract.UserIdentity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * Parses landed lines against the contract with explicit rules, no schema inference: each line
 * gets either its typed columns or the first failing reason of CONTRACT 7, in this order:
 * invalid_json, missing_field, wrong_type, unknown_enum, bad_timestamp, invalid_phone,
 * invalid_user_id, negative_amount, bad_amount.
 *
 * <p>Lines are parsed once into a VARIANT; every check is a built-in expression on it. Only the
 * phone-number check calls libphonenumber (no built-in can).
 */
public final class LineParser {
  /** The reason column: null for a usable line. */
  public static final String REASON = "reject_reason";

  private static final String INSTANT_PATTERN =
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$";
  private static final String DECIMAL_PATTERN = "^-?[0-9]+(\\\\.[0-9]+)?$";

  private LineParser() {}

  /**
   * Adds the typed contract columns and {@link #REASON} to landed lines (columns of {@link
   * LandedLines#SCHEMA}). User identity columns are the raw {@code user_phone} / {@code user_id}
   * plus {@code phone_region}; pseudonymization replaces them next.
   */
  public static Dataset<Row> parse(Dataset<Row> lines, Feed feed) {
    Dataset<Row> v = lines.withColumn("_v", expr("try_parse_json(line)"));
    if (feed.hasUserIdentity()) {
      v = v.withColumn("phone_region", PHONE_REGION.apply(expr(str("user_phone"))));
    }
    List<Check> checks = checks(feed);
    Column reason = lit(null).cast(DataTypes.StringType);
    // build CASE WHEN from the last check to the first so the first failing one wins
    for (int i = checks.size() - 1; i >= 0; i--) {
      Check c = checks.get(i);
      reason = when(expr(c.failsWhen()), lit(c.reason().code())).otherwise(reason);
    }
    Dataset<Row> out = v.withColumn(REASON, reason);
    for (FieldSpec f : feed.fields()) {
      out = out.withColumn(f.column(), typed(f));
    }
    if (feed == Feed.MESSAGES) {
      // a template object on a non-template message and a referral on an outbound one are ignored
      String isTemplate = "(" + str("direction") + " = 'outbound' AND " + str("type") + " = 'template')";
      String isInbound = "(" + str("direction") + " = 'inbound')";
      for (String sub : List.of("name", "category", "language")) {
        out = out.withColumn("template_" + sub, expr("CASE WHEN " + isTemplate + " THEN " + str("template." + sub) + " END"));
      }
      for (String sub : List.of("source_type", "source_id")) {
        out = out.withColumn("referral_" + sub, expr("CASE WHEN " + isInbound + " THEN " + str("referral." + sub) + " END"));
      }
    }
    if (feed.hasUserIdentity()) {
      out = out
          .withColumn("user_phone", expr(str("user_phone")))
          .withColumn("user_id", expr(str("user_id")));
    }
    return out.withColumn("payload_hash", payloadHash(feed)).drop("_v");
  }

  // ---- the checks, in contract order ------------------------------------------------------

  private record Check(RejectReason reason, String failsWhen) {}

  private static List<Check> checks(Feed feed) {
    List<String> missing = new ArrayList<>();
    List<String> wrongType = new ArrayList<>();
    List<String> unknownEnum = new ArrayList<>();
    List<String> badTimestamp = new ArrayList<>();
    for (FieldSpec f : feed.fields()) {
      if (f.required()) {
        missing.add("NOT " + present(f.path()));
      }
      wrongType.add(present(f.path()) + " AND NOT " + hasType(f.path(), f.type()));
      if (f.isEnum()) {
        unknownEnum.add(present(f.path()) + " AND " + str(f.path()) + " NOT IN (" + quoted(f.allowed()) + ")");
      }
      if (f.type() == FieldType.INSTANT) {
        badTimestamp.add(present(f.path()) + " AND (NOT " + str(f.path()) + " RLIKE '" + INSTANT_PATTERN
            + "' OR try_cast(" + str(f.path()) + " AS TIMESTAMP) IS NULL)");
      }
    }
    List<Check> checks = new ArrayList<>();
    checks.add(new Check(RejectReason.INVALID_JSON,
        "_v IS NULL OR NOT startswith(schema_of_variant(_v), 'OBJECT')"));
    if (feed.hasUserIdentity()) {
      missing.add("NOT " + present("user_phone") + " AND NOT " + present("user_id"));
      wrongType.add(present("user_phone") + " AND NOT " + hasType("user_phone", FieldType.STRING));
      wrongType.add(present("user_id") + " AND NOT " + hasType("user_id", FieldType.STRING));
    }
    String invalidPhone = "false";
    String invalidUserId = "false";
    if (feed.hasUserIdentity()) {
      invalidPhone = present("user_phone") + " AND phone_region IS NULL";
      invalidUserId = present("user_id") + " AND NOT array_contains(array("
          + quoted(UserIdentity.isoCountries().stream().sorted().toList()) + "), substring_index("
          + str("user_id") + ", '.', 1))";
    }
    if (feed == Feed.MESSAGES) {
      String outboundTemplate = "(" + str("direction") + " = 'outbound' AND " + str("type") + " = 'template')";
      String inbound = "(" + str("direction") + " = 'inbound')";
      missing.add(outboundTemplate + " AND (NOT " + present("template") + " OR ("
          + hasType("template", FieldType.OBJECT) + " AND (NOT " + present("template.name")
          + " OR NOT " + present("template.category") + " OR NOT " + present("template.language") + ")))");
      wrongType.add(outboundTemplate + " AND (NOT " + hasType("template", FieldType.OBJECT)
          + " OR NOT " + hasType("template.name", FieldType.STRING)
          + " OR NOT " + hasType("template.category", FieldType.STRING)
          + " OR NOT " + hasType("template.language", FieldType.STRING) + ")");
      wrongType.add(inbound + " AND " + present("referral") + " AND (NOT " + hasType("referral", FieldType.OBJECT)
          + " OR (" + present("referral.source_type") + " AND NOT " + hasType("referral.source_type", FieldType.STRING) + ")"
          + " OR (" + present("referral.source_id") + " AND NOT " + hasType("referral.source_id", FieldType.STRING) + "))");
      unknownEnum.add(outboundTemplate + " AND " + str("template.category") + " NOT IN ("
          + quoted(Arrays.asList(Enums.TEMPLATE_CATEGORIES)) + ")");
      unknownEnum.add(inbound + " AND " + str("type") + " = 'template'");
      unknownEnum.add(inbound + " AND " + present("referral.source_type") + " AND " + str("referral.source_type")
          + " NOT IN (" + quoted(Arrays.asList(Enums.REFERRAL_SOURCES)) + ")");
    }
    String negativeAmount = "false";
    String badAmount = "false";
    if (feed == Feed.BILLING) {
      negativeAmount = "try_cast(" + str("amount") + " AS DECIMAL(38,18)) < 0";
      badAmount = "length(regexp_extract(" + str("amount") + ", '\\\\.([0-9]+)$', 1)) > 6 OR try_cast("
          + str("amount") + " AS DECIMAL(18,6)) IS NULL";
    }
    checks.add(new Check(RejectReason.MISSING_FIELD, any(missing)));
    checks.add(new Check(RejectReason.WRONG_TYPE, any(wrongType)));
    checks.add(new Check(RejectReason.UNKNOWN_ENUM, any(unknownEnum)));
    checks.add(new Check(RejectReason.BAD_TIMESTAMP, any(badTimestamp)));
    checks.add(new Check(RejectReason.INVALID_PHONE, invalidPhone));
    checks.add(new Check(RejectReason.INVALID_USER_ID, invalidUserId));
    checks.add(new Check(RejectReason.NEGATIVE_AMOUNT, negativeAmount));
    checks.add(new Check(RejectReason.BAD_AMOUNT, badAmount));
    return checks;
  }

  private static Column typed(FieldSpec f) {
    return switch (f.type()) {
      case STRING -> expr(str(f.path()));
      case INTEGER -> expr("try_variant_get(_v, '$." + f.path() + "', 'bigint')");
      case INSTANT -> expr("try_cast(" + str(f.path()) + " AS TIMESTAMP)");
      case DECIMAL_STRING -> expr("try_cast(" + str(f.path()) + " AS DECIMAL(18,6))");
      case OBJECT -> throw new IllegalArgumentException("objects are flattened, not typed: " + f.path());
    };
  }

  /** Identical records hash alike whatever their formatting (key order, offsets, spaces). */
  private static Column payloadHash(Feed feed) {
    List<Column> cols = new ArrayList<>();
    for (FieldSpec f : feed.fields()) {
      cols.add(col(f.column()));
    }
    if (feed == Feed.MESSAGES) {
      for (String c : List.of("template_name", "template_category", "template_language",
          "referral_source_type", "referral_source_id")) {
        cols.add(col(c));
      }
    }
    if (feed.hasUserIdentity()) {
      cols.add(col("user_phone"));
      cols.add(col("user_id"));
    }
    return xxhash64(cols.toArray(new Column[0]));
  }

  // ---- SQL snippets on the parsed VARIANT _v ------------------------------------------------

  private static String typeOf(String path) {
    return "schema_of_variant(try_variant_get(_v, '$." + path + "', 'variant'))";
  }

  private static String present(String path) {
    return "coalesce(" + typeOf(path) + " NOT IN ('VOID'), false)";
  }

  private static String hasType(String path, FieldType type) {
    return switch (type) {
      case STRING, INSTANT, DECIMAL_STRING -> "coalesce(" + typeOf(path) + " = 'STRING', false)";
      case INTEGER -> "coalesce(" + typeOf(path) + " IN ('TINYINT', 'SMALLINT', 'INT', 'BIGINT'), false)";
      case OBJECT -> "coalesce(startswith(" + typeOf(path) + ", 'OBJECT'), false)";
    };
  }

  private static String str(String path) {
    return "try_variant_get(_v, '$." + path + "', 'string')";
  }

  private static String any(List<String> conditions) {
    if (conditions.isEmpty()) {
      return "false";
    }
    return conditions.stream().map(c -> "coalesce(" + c + ", false)").collect(Collectors.joining(" OR "));
  }

  private static String quoted(List<String> values) {
    return values.stream().map(s -> "'" + s + "'").collect(Collectors.joining(", "));
  }

  /** libphonenumber's region of an exact, valid E.164 number; no built-in can do this. */
  public static final UserDefinedFunction PHONE_REGION =
      org.apache.spark.sql.functions.udf(
              (org.apache.spark.sql.api.java.UDF1<String, String>) UserIdentity::phoneRegion,
              DataTypes.StringType)
          .withName("chatledger_phone_region");
}
