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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Lines are parsed once into a VARIANT, and each path the checks ask about is looked up once
 * per line ({@code Lookups}); every check is a built-in expression on those. Only the
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
    Lookups at = new Lookups();
    List<Check> checks = checks(feed, at);
    Column reason = lit(null).cast(DataTypes.StringType);
    // build CASE WHEN from the last check to the first so the first failing one wins
    for (int i = checks.size() - 1; i >= 0; i--) {
      Check c = checks.get(i);
      reason = when(expr(c.failsWhen()), lit(c.reason().code())).otherwise(reason);
    }
    List<Column> typed = new ArrayList<>();
    for (FieldSpec f : feed.fields()) {
      typed.add(typed(f, at));
    }
    // the message feed's template and referral objects, kept only where the contract keeps them
    Map<String, String> objectParts = new LinkedHashMap<>();
    if (feed == Feed.MESSAGES) {
      String isTemplate = "(" + at.str("direction") + " = 'outbound' AND " + at.str("type") + " = 'template')";
      String isInbound = "(" + at.str("direction") + " = 'inbound')";
      for (String sub : List.of("name", "category", "language")) {
        objectParts.put("template_" + sub, "CASE WHEN " + isTemplate + " THEN " + at.str("template." + sub) + " END");
      }
      for (String sub : List.of("source_type", "source_id")) {
        objectParts.put("referral_" + sub, "CASE WHEN " + isInbound + " THEN " + at.str("referral." + sub) + " END");
      }
    }
    String userPhone = feed.hasUserIdentity() ? at.str("user_phone") : null;
    String userId = feed.hasUserIdentity() ? at.str("user_id") : null;

    Dataset<Row> out = at.addTo(lines.withColumn("_v", expr("try_parse_json(line)")));
    if (feed.hasUserIdentity()) {
      out = out.withColumn("phone_region", PHONE_REGION.apply(expr(userPhone)));
    }
    out = out.withColumn(REASON, reason);
    for (int i = 0; i < typed.size(); i++) {
      out = out.withColumn(feed.fields().get(i).column(), typed.get(i));
    }
    for (Map.Entry<String, String> part : objectParts.entrySet()) {
      out = out.withColumn(part.getKey(), expr(part.getValue()));
    }
    if (feed.hasUserIdentity()) {
      out = out.withColumn("user_phone", expr(userPhone)).withColumn("user_id", expr(userId));
    }
    return out.withColumn("payload_hash", payloadHash(feed)).drop("_v").drop(at.columns());
  }

  // ---- the checks, in contract order ------------------------------------------------------

  private record Check(RejectReason reason, String failsWhen) {}

  private static List<Check> checks(Feed feed, Lookups at) {
    List<String> missing = new ArrayList<>();
    List<String> wrongType = new ArrayList<>();
    List<String> unknownEnum = new ArrayList<>();
    List<String> badTimestamp = new ArrayList<>();
    for (FieldSpec f : feed.fields()) {
      if (f.required()) {
        missing.add("NOT " + at.present(f.path()));
      }
      wrongType.add(at.present(f.path()) + " AND NOT " + at.hasType(f.path(), f.type()));
      if (f.isEnum()) {
        unknownEnum.add(at.present(f.path()) + " AND " + at.str(f.path()) + " NOT IN (" + quoted(f.allowed()) + ")");
      }
      if (f.type() == FieldType.INSTANT) {
        badTimestamp.add(at.present(f.path()) + " AND (NOT " + at.str(f.path()) + " RLIKE '" + INSTANT_PATTERN
            + "' OR try_cast(" + at.str(f.path()) + " AS TIMESTAMP) IS NULL)");
      }
    }
    List<Check> checks = new ArrayList<>();
    checks.add(new Check(RejectReason.INVALID_JSON,
        "_v IS NULL OR NOT startswith(schema_of_variant(_v), 'OBJECT')"));
    if (feed.hasUserIdentity()) {
      missing.add("NOT " + at.present("user_phone") + " AND NOT " + at.present("user_id"));
      wrongType.add(at.present("user_phone") + " AND NOT " + at.hasType("user_phone", FieldType.STRING));
      wrongType.add(at.present("user_id") + " AND NOT " + at.hasType("user_id", FieldType.STRING));
    }
    String invalidPhone = "false";
    String invalidUserId = "false";
    if (feed.hasUserIdentity()) {
      invalidPhone = at.present("user_phone") + " AND phone_region IS NULL";
      invalidUserId = at.present("user_id") + " AND NOT array_contains(array("
          + quoted(UserIdentity.isoCountries().stream().sorted().toList()) + "), substring_index("
          + at.str("user_id") + ", '.', 1))";
    }
    if (feed == Feed.MESSAGES) {
      String outboundTemplate = "(" + at.str("direction") + " = 'outbound' AND " + at.str("type") + " = 'template')";
      String inbound = "(" + at.str("direction") + " = 'inbound')";
      missing.add(outboundTemplate + " AND (NOT " + at.present("template") + " OR ("
          + at.hasType("template", FieldType.OBJECT) + " AND (NOT " + at.present("template.name")
          + " OR NOT " + at.present("template.category") + " OR NOT " + at.present("template.language") + ")))");
      wrongType.add(outboundTemplate + " AND (NOT " + at.hasType("template", FieldType.OBJECT)
          + " OR NOT " + at.hasType("template.name", FieldType.STRING)
          + " OR NOT " + at.hasType("template.category", FieldType.STRING)
          + " OR NOT " + at.hasType("template.language", FieldType.STRING) + ")");
      wrongType.add(inbound + " AND " + at.present("referral") + " AND (NOT " + at.hasType("referral", FieldType.OBJECT)
          + " OR (" + at.present("referral.source_type") + " AND NOT " + at.hasType("referral.source_type", FieldType.STRING) + ")"
          + " OR (" + at.present("referral.source_id") + " AND NOT " + at.hasType("referral.source_id", FieldType.STRING) + "))");
      unknownEnum.add(outboundTemplate + " AND " + at.str("template.category") + " NOT IN ("
          + quoted(Arrays.asList(Enums.TEMPLATE_CATEGORIES)) + ")");
      unknownEnum.add(inbound + " AND " + at.str("type") + " = 'template'");
      unknownEnum.add(inbound + " AND " + at.present("referral.source_type") + " AND " + at.str("referral.source_type")
          + " NOT IN (" + quoted(Arrays.asList(Enums.REFERRAL_SOURCES)) + ")");
    }
    String negativeAmount = "false";
    String badAmount = "false";
    if (feed == Feed.BILLING) {
      negativeAmount = "try_cast(" + at.str("amount") + " AS DECIMAL(38,18)) < 0";
      badAmount = "length(regexp_extract(" + at.str("amount") + ", '\\\\.([0-9]+)$', 1)) > 6 OR try_cast("
          + at.str("amount") + " AS DECIMAL(18,6)) IS NULL";
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

  private static Column typed(FieldSpec f, Lookups at) {
    return switch (f.type()) {
      case STRING -> expr(at.str(f.path()));
      case INTEGER -> expr("try_variant_get(_v, '$." + f.path() + "', 'bigint')");
      case INSTANT -> expr("try_cast(" + at.str(f.path()) + " AS TIMESTAMP)");
      case DECIMAL_STRING -> expr("try_cast(" + at.str(f.path()) + " AS DECIMAL(18,6))");
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

  /**
   * The VARIANT lookups of one parse, each a column computed once per line: the checks ask for
   * a path's type or string value many times (present, right type, enum, timestamp), and Spark
   * does not share an expression between CASE WHEN branches, so written inline each lookup ran
   * once per mention.
   */
  private static final class Lookups {
    private final Map<String, String> columns = new LinkedHashMap<>(); // SQL -> column name
    private boolean added;

    /** The string value at {@code path}, null when absent or not a string. */
    String str(String path) {
      return column("try_variant_get(_v, '$." + path + "', 'string')");
    }

    /** The VARIANT type name at {@code path} ({@code VOID} for a JSON null, null when absent). */
    String typeOf(String path) {
      return column("schema_of_variant(try_variant_get(_v, '$." + path + "', 'variant'))");
    }

    String present(String path) {
      return "coalesce(" + typeOf(path) + " NOT IN ('VOID'), false)";
    }

    String hasType(String path, FieldType type) {
      return switch (type) {
        case STRING, INSTANT, DECIMAL_STRING -> "coalesce(" + typeOf(path) + " = 'STRING', false)";
        case INTEGER -> "coalesce(" + typeOf(path) + " IN ('TINYINT', 'SMALLINT', 'INT', 'BIGINT'), false)";
        case OBJECT -> "coalesce(startswith(" + typeOf(path) + ", 'OBJECT'), false)";
      };
    }

    private String column(String sql) {
      if (added && !columns.containsKey(sql)) {
        throw new IllegalStateException("lookup asked for after the lookups were added: " + sql);
      }
      return "`" + columns.computeIfAbsent(sql, k -> "_lookup" + columns.size()) + "`";
    }

    /** {@code lines} (with {@code _v}) plus every lookup asked for so far: ask for none after. */
    Dataset<Row> addTo(Dataset<Row> lines) {
      added = true;
      Map<String, Column> add = new LinkedHashMap<>();
      columns.forEach((sql, name) -> add.put(name, expr(sql)));
      return lines.withColumns(add);
    }

    String[] columns() {
      return columns.values().toArray(new String[0]);
    }
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
