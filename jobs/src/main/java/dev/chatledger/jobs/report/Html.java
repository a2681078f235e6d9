package dev.chatledger.jobs.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;

/** The few HTML helpers the report needs: escaping, number formats and tables from query rows. */
final class Html {
  private Html() {}

  static String escape(Object value) {
    if (value == null) {
      return "";
    }
    return value.toString().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  static String number(double v) {
    return Math.abs(v) >= 100 || v == Math.rint(v)
        ? String.format(Locale.ROOT, "%,.0f", v)
        : String.format(Locale.ROOT, "%,.2f", v);
  }

  static String cell(Object v) {
    if (v == null) {
      return "<td class=\"null\">-</td>";
    }
    if (v instanceof BigDecimal d) {
      return "<td class=\"num\">" + String.format(Locale.ROOT, "%,.2f", d.setScale(2, RoundingMode.HALF_EVEN)) + "</td>";
    }
    if (v instanceof Double d) {
      return "<td class=\"num\">" + String.format(Locale.ROOT, "%.4f", d) + "</td>";
    }
    if (v instanceof Number n) {
      return "<td class=\"num\">" + String.format(Locale.ROOT, "%,d", n.longValue()) + "</td>";
    }
    return "<td>" + escape(v) + "</td>";
  }

  /** A table of query rows under their column names. */
  static String table(String[] columns, List<Row> rows) {
    StringBuilder s = new StringBuilder("<table><thead><tr>");
    for (String c : columns) {
      s.append("<th>").append(escape(c)).append("</th>");
    }
    s.append("</tr></thead><tbody>");
    for (Row r : rows) {
      s.append("<tr>");
      for (int i = 0; i < r.length(); i++) {
        s.append(cell(r.get(i)));
      }
      s.append("</tr>");
    }
    if (rows.isEmpty()) {
      s.append("<tr><td colspan=\"").append(columns.length).append("\">none</td></tr>");
    }
    return s.append("</tbody></table>").toString();
  }
}
