package dev.chatledger.jobs.report;

import java.util.List;
import java.util.Locale;

/** A horizontal bar chart as inline SVG: no script, no external file, renders in any browser. */
final class BarChart {
  record Bar(String label, double value) {}

  private static final int ROW = 22;
  private static final int LABEL_WIDTH = 190;
  private static final int BAR_WIDTH = 380;

  private BarChart() {}

  static String svg(String title, List<Bar> bars, String unit) {
    double max = bars.stream().mapToDouble(b -> Math.abs(b.value())).max().orElse(0);
    int height = 30 + ROW * Math.max(bars.size(), 1);
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT,
        "<svg class=\"chart\" role=\"img\" aria-label=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">",
        Html.escape(title), LABEL_WIDTH + BAR_WIDTH + 120, height));
    s.append("<text x=\"0\" y=\"16\" class=\"chart-title\">").append(Html.escape(title)).append("</text>");
    if (bars.isEmpty()) {
      s.append("<text x=\"0\" y=\"44\">no data</text>");
    }
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      int y = 28 + i * ROW;
      double w = max == 0 ? 0 : BAR_WIDTH * Math.abs(b.value()) / max;
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
          LABEL_WIDTH - 6, y + 14, Html.escape(b.label())));
      s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" class=\"%s\"/>",
          LABEL_WIDTH, y + 2, w, ROW - 6, b.value() < 0 ? "bar negative" : "bar"));
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>",
          LABEL_WIDTH + w + 6, y + 14, Html.escape(Html.number(b.value()) + unit)));
    }
    return s.append("</svg>").toString();
  }
}
