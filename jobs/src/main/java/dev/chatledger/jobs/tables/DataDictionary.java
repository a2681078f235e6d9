package dev.chatledger.jobs.tables;

import java.util.stream.Collectors;
import org.apache.spark.sql.types.StructField;

/**
 * The data dictionary analysts read ({@code docs/tables.md}), rendered from the table registry:
 * every table with its layer, grain, partitioning and description, every column with its type
 * and description. The same descriptions are the catalog's table and column comments.
 */
public final class DataDictionary {
  private DataDictionary() {}

  public static String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# chatledger tables\n\n")
        .append("Generated from the table registry (`jobs/.../tables/Table.java`) by\n")
        .append("`./chatledger dictionary --out docs/tables.md`; a test fails when this file is stale.\n")
        .append("Address tables by name in SQL (`SELECT ... FROM gold.revenue_daily`); dates are UTC unless\n")
        .append("named `local_`; money is DECIMAL(18,6).\n\n");
    for (Layer layer : Layer.values()) {
      md.append("## ").append(layer.schema()).append("\n\n");
      for (Table t : Table.values()) {
        if (t.layer() == layer) {
          md.append("- [`").append(t.qualifiedName()).append("`](#").append(anchor(t)).append(")\n");
        }
      }
      md.append('\n');
      for (Table t : Table.values()) {
        if (t.layer() != layer) {
          continue;
        }
        md.append("### ").append(t.qualifiedName()).append("\n\n")
            .append(t.description()).append("\n\n")
            .append("Grain: ").append(t.grain()).append(".")
            .append(t.partitionBy().isEmpty() ? "" : " Partitioned by `" + String.join("`, `", t.partitionBy()) + "`.")
            .append("\n\n| column | type | description |\n|---|---|---|\n");
        for (StructField f : t.schema().fields()) {
          md.append("| `").append(f.name()).append("` | ").append(f.dataType().sql().toLowerCase(java.util.Locale.ROOT))
              .append(" | ").append(f.getComment().map(DataDictionary::cell).getOrElse(() -> "")).append(" |\n");
        }
        md.append('\n');
      }
    }
    return md.toString();
  }

  private static String anchor(Table t) {
    return t.qualifiedName().replace(".", "");
  }

  private static String cell(String text) {
    return text.replace("|", "\\|");
  }

  /** The column list of a view over the table: names with their comments, in registry order. */
  static String viewColumns(Table t) {
    return java.util.Arrays.stream(t.schema().fields())
        .map(f -> "`" + f.name() + "` COMMENT '" + f.getComment().getOrElse(() -> "").replace("\\", "\\\\").replace("'", "\\'") + "'")
        .collect(Collectors.joining(", "));
  }
}
