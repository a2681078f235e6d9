package dev.chatledger.jobs.tables;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** A small builder for described schemas: every column carries its comment. */
final class Columns {
  static final DecimalType MONEY = DataTypes.createDecimalType(18, 6);

  private final List<StructField> fields = new ArrayList<>();

  static Columns of() {
    return new Columns();
  }

  Columns add(String name, DataType type, String description) {
    fields.add(new StructField(name, type, true, Metadata.empty()).withComment(description));
    return this;
  }

  Columns string(String name, String description) {
    return add(name, DataTypes.StringType, description);
  }

  Columns timestamp(String name, String description) {
    return add(name, DataTypes.TimestampType, description);
  }

  Columns date(String name, String description) {
    return add(name, DataTypes.DateType, description);
  }

  Columns bigint(String name, String description) {
    return add(name, DataTypes.LongType, description);
  }

  Columns money(String name, String description) {
    return add(name, MONEY, description);
  }

  Columns bool(String name, String description) {
    return add(name, DataTypes.BooleanType, description);
  }

  Columns addAll(Columns other) {
    fields.addAll(other.fields);
    return this;
  }

  StructType build() {
    return new StructType(fields.toArray(new StructField[0]));
  }

  /** The user identity columns that replace user_phone / user_id (CONTRACT 5). */
  static Columns user() {
    return of()
        .string("user_key", "hex HMAC-SHA256 of the user's E.164 number (or, without one, of the user_id)")
        .string("user_country", "ISO country of the user: phone number region, else the user_id prefix")
        .string("identity_source", "what user_key was computed from: phone or user_id");
  }

  /** Where a record came from: the arrival folder, file and byte offset of its line. */
  static Columns lineage() {
    return of()
        .date("dt", "arrival date: the dt= folder the line landed in")
        .string("source_file", "the landed file the line was read from")
        .bigint("line_offset", "byte offset of the line in its (uncompressed) file; orders lines")
        .bigint("payload_hash", "hash of the record's contract fields, to tell redeliveries from conflicts");
  }

  static Columns runId() {
    return of().string("run_id", "the run that ingested the line (ops.runs)");
  }
}
