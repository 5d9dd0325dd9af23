package io.mlserve.evaluation;

import java.util.List;

/**
 * Small inline SVG charts for the evaluation report, drawn from bounded data (the report's
 * sample, the per-output metrics): an overlaid histogram, a scatter plot with its y = x line,
 * and grouped bars. No script, no external assets; every label is escaped. Stateless;
 * thread-safe.
 */
final class SvgPlots {
  static final String CANDIDATE_COLOUR = "#1f77b4";
  static final String BASELINE_COLOUR = "#ff7f0e";
  private static final int W = 560;
  private static final int H = 300;
  private static final int LEFT = 60;
  private static final int RIGHT = 15;
  private static final int TOP = 15;
  private static final int BOTTOM = 40;

  private SvgPlots() {}

  /** One data series: a name and values (a baseline series may be null to leave it out). */
  record Series(String name, String colour, double[] values) {}

  /** Histogram of each series over shared bins, drawn as outlined, translucent bars. */
  static String histogram(String xLabel, List<Series> series, int bins) {
    double[] range = range(series, null);
    if (range == null) {
      return "";
    }
    double min = range[0];
    double max = range[1];
    int[][] counts = new int[series.size()][bins];
    int top = 1;
    for (int k = 0; k < series.size(); k++) {
      for (double v : series.get(k).values()) {
        int b = Math.min(bins - 1, (int) ((v - min) / (max - min) * bins));
        top = Math.max(top, ++counts[k][b]);
      }
    }
    StringBuilder svg = open(xLabel, "count", min, max, 0, top);
    double bw = (double) (W - LEFT - RIGHT) / bins;
    for (int k = 0; k < series.size(); k++) {
      String c = series.get(k).colour();
      for (int b = 0; b < bins; b++) {
        double h = (H - TOP - BOTTOM) * (double) counts[k][b] / top;
        svg.append("<rect x=\"").append(Html.xy(LEFT + b * bw)).append("\" y=\"")
            .append(Html.xy(H - BOTTOM - h)).append("\" width=\"").append(Html.xy(bw))
            .append("\" height=\"").append(Html.xy(h)).append("\" fill=\"").append(c)
            .append("\" fill-opacity=\"0.35\" stroke=\"").append(c).append("\"/>\n");
      }
    }
    return close(svg, series);
  }

  /** Scatter of (x, y) per series, with the y = x diagonal. */
  static String scatter(String xLabel, String yLabel, double[] x, List<Series> ys) {
    double[] range = range(ys, x);
    if (range == null) {
      return "";
    }
    double min = range[0];
    double max = range[1];
    StringBuilder svg = open(xLabel, yLabel, min, max, min, max);
    svg.append("<line x1=\"").append(Html.xy(px(min, min, max))).append("\" y1=\"")
        .append(Html.xy(py(min, min, max))).append("\" x2=\"").append(Html.xy(px(max, min, max)))
        .append("\" y2=\"").append(Html.xy(py(max, min, max)))
        .append("\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n");
    for (Series s : ys) {
      for (int i = 0; i < x.length; i++) {
        svg.append("<circle cx=\"").append(Html.xy(px(x[i], min, max))).append("\" cy=\"")
            .append(Html.xy(py(s.values()[i], min, max))).append("\" r=\"2\" fill=\"")
            .append(s.colour()).append("\" fill-opacity=\"0.5\"/>\n");
      }
    }
    return close(svg, ys);
  }

  /** Grouped bars: one group per index (x axis), one bar per series. */
  static String bars(String xLabel, String yLabel, List<Series> series) {
    int groups = series.get(0).values().length;
    double top = 0;
    for (Series s : series) {
      for (double v : s.values()) {
        top = Math.max(top, v);
      }
    }
    if (groups == 0) {
      return "";
    }
    if (top <= 0) {
      top = 1;
    }
    StringBuilder svg = open(xLabel, yLabel, 0, groups, 0, top);
    double gw = (double) (W - LEFT - RIGHT) / groups;
    double bw = gw * 0.8 / series.size();
    for (int k = 0; k < series.size(); k++) {
      double[] v = series.get(k).values();
      for (int g = 0; g < groups; g++) {
        double h = (H - TOP - BOTTOM) * Math.max(0, v[g]) / top;
        svg.append("<rect x=\"").append(Html.xy(LEFT + g * gw + gw * 0.1 + k * bw))
            .append("\" y=\"").append(Html.xy(H - BOTTOM - h)).append("\" width=\"")
            .append(Html.xy(bw)).append("\" height=\"").append(Html.xy(h)).append("\" fill=\"")
            .append(series.get(k).colour()).append("\"><title>").append(g).append(": ")
            .append(Html.num(v[g])).append("</title></rect>\n");
      }
    }
    return close(svg, series);
  }

  /** The smallest and largest value of all series (and {@code extra}), widened if equal. */
  private static double[] range(List<Series> series, double[] extra) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int k = -1; k < series.size(); k++) {
      double[] values = k < 0 ? extra : series.get(k).values();
      for (double v : values == null ? new double[0] : values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    if (min > max) {
      return null;
    }
    return min == max ? new double[] {min - 0.5, max + 0.5} : new double[] {min, max};
  }

  private static double px(double v, double min, double max) {
    return LEFT + (W - LEFT - RIGHT) * (v - min) / (max - min);
  }

  private static double py(double v, double min, double max) {
    return H - BOTTOM - (H - TOP - BOTTOM) * (v - min) / (max - min);
  }

  /** The frame: axes, the four corner values, the axis labels. */
  private static StringBuilder open(String xLabel, String yLabel, double x0, double x1,
      double y0, double y1) {
    StringBuilder svg = new StringBuilder(8192);
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W)
        .append("\" height=\"").append(H).append("\" viewBox=\"0 0 ").append(W).append(' ')
        .append(H).append("\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\">\n");
    svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(H - BOTTOM)
        .append("\" x2=\"").append(W - RIGHT).append("\" y2=\"").append(H - BOTTOM)
        .append("\" stroke=\"#333\"/>\n<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP)
        .append("\" x2=\"").append(LEFT).append("\" y2=\"").append(H - BOTTOM)
        .append("\" stroke=\"#333\"/>\n");
    text(svg, LEFT, H - BOTTOM + 14, "start", Html.num(x0));
    text(svg, W - RIGHT, H - BOTTOM + 14, "end", Html.num(x1));
    text(svg, LEFT - 4, H - BOTTOM, "end", Html.num(y0));
    text(svg, LEFT - 4, TOP + 8, "end", Html.num(y1));
    text(svg, (LEFT + W - RIGHT) / 2, H - 6, "middle", xLabel);
    svg.append("<text transform=\"translate(12 ").append((TOP + H - BOTTOM) / 2)
        .append(") rotate(-90)\" text-anchor=\"middle\">").append(Html.escape(yLabel))
        .append("</text>\n");
    return svg;
  }

  private static void text(StringBuilder svg, int x, int y, String anchor, String s) {
    svg.append("<text x=\"").append(x).append("\" y=\"").append(y)
        .append("\" text-anchor=\"").append(anchor).append("\">").append(Html.escape(s))
        .append("</text>\n");
  }

  private static String close(StringBuilder svg, List<Series> series) {
    int y = TOP + 4;
    for (Series s : series) {
      svg.append("<rect x=\"").append(W - RIGHT - 150).append("\" y=\"").append(y)
          .append("\" width=\"10\" height=\"10\" fill=\"").append(s.colour()).append("\"/>");
      text(svg, W - RIGHT - 135, y + 9, "start", s.name());
      y += 14;
    }
    return svg.append("</svg>\n").toString();
  }
}
