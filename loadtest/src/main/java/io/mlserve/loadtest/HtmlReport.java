package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML page for one run: summary table, a latency-by-percentile plot (log scale
 * towards the tail, response time from the intended send beside service time from the actual
 * send) and a throughput-and-p99-over-time chart. Charts are inline SVG drawn here; the result's
 * JSON is embedded in a {@code <script type="application/json">} block for anyone who wants the
 * numbers. Nothing is fetched when the page opens. Stateless; thread-safe.
 */
final class HtmlReport {
  /** Percentiles plotted and listed in the JSON. */
  static final double[] PERCENTILES = {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99,
      99.999, 100};

  static final int W = 720;
  static final int H = 300;
  static final int PAD = 50;

  private HtmlReport() {}

  static void write(RunResult r, Slo.Verdict verdict, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, render(r, verdict), StandardCharsets.UTF_8);
  }

  static String render(RunResult r, Slo.Verdict verdict) {
    requireNonNull(r, "r");
    StringBuilder sb = new StringBuilder(16_384);
    sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mlserve load test")
        .append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:60em}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;")
        .append("text-align:right}th{background:#eee}.bad{color:#b00;font-weight:bold}")
        .append(".ok{color:#070;font-weight:bold}svg{border:1px solid #ddd}</style></head>\n")
        .append("<body>\n<h1>mlserve load test</h1>\n<p>")
        .append(esc(r.setup().shape())).append(" &rarr; ").append(esc(r.setup().load()))
        .append("</p>\n");
    if (verdict != null) {
      sb.append(verdict.reason() == null
          ? "<p class=\"ok\">Objective met (exit 0).</p>\n"
          : "<p class=\"bad\">Exit " + verdict.exitCode() + ": " + esc(verdict.reason())
              + "</p>\n");
    }
    if (r.generatorBehind()) {
      sb.append("<p class=\"bad\">").append(esc(r.generator().behindReason())).append("</p>\n");
    }
    summary(sb, r);
    sb.append("<h2>Latency by percentile</h2>\n");
    percentilePlot(sb, r);
    sb.append("<h2>Throughput and p99 over time</h2>\n");
    timelinePlot(sb, r.timeline());
    sb.append("<script type=\"application/json\" id=\"result\">\n")
        .append(JsonReport.render(r, verdict)).append("</script>\n</body></html>\n");
    return sb.toString();
  }

  private static void summary(StringBuilder sb, RunResult r) {
    sb.append("<table>\n<tr><th>requests</th><th>ok</th><th>failed</th><th>throughput</th>")
        .append("<th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th>")
        .append("</tr>\n<tr>");
    cell(sb, Long.toString(r.requests()));
    cell(sb, Long.toString(r.ok()));
    cell(sb, Long.toString(r.failed()));
    cell(sb, String.format(Locale.ROOT, "%.1f req/s", r.throughputRps()));
    for (double p : new double[] {50, 90, 95, 99, 99.9}) {
      cell(sb, TextReport.micros(r.percentileUs(p)));
    }
    cell(sb, TextReport.micros(r.maxUs()));
    sb.append("</tr>\n</table>\n<p>Errors: ").append(esc(TextReport.errors(r.errors())));
    if (!r.versions().isEmpty()) {
      sb.append("<br>Answers by version: ").append(esc(TextReport.counts(r.versions())));
    }
    if (r.unfinished() > 0) {
      sb.append("<br>Unanswered at the end (counted as NO_ANSWER): ").append(r.unfinished());
    }
    sb.append("</p>\n<p>Latency runs from each request's intended send time, so a stalled server"
        + " shows in every request it delayed; failed requests are in the distribution.</p>\n");
  }

  static void cell(StringBuilder sb, String text) {
    sb.append("<td>").append(esc(text)).append("</td>");
  }

  /** x: percentile on a log scale of 1/(1-p); y: milliseconds, linear. */
  static void percentilePlot(StringBuilder sb, RunResult r) {
    double maxX = Math.log10(1e5);
    double maxMs = Math.max(r.maxUs(), r.serviceUs().getTotalCount() == 0 ? 0
        : r.serviceUs().getMaxValue()) / 1e3;
    maxMs = niceCeil(maxMs);
    svgOpen(sb);
    axes(sb, maxMs, "ms");
    String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
    for (int i = 0; i < labels.length; i++) {
      double x = PAD + (W - 2 * PAD) * i / maxX;
      sb.append(String.format(Locale.ROOT,
          "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>", x,
          H - PAD + 15, labels[i]));
    }
    String[] colors = {"#c33", "#36c"};
    for (int series = 0; series < 2; series++) {
      if (series == 1 && !r.setup().openLoop()) {
        break; // closed loop: service time is the latency
      }
      sb.append("<polyline fill=\"none\" stroke=\"").append(colors[series])
          .append("\" stroke-width=\"2\" points=\"");
      for (double p = 0; p <= 99.999; p = p < 90 ? p + 5 : 100 - (100 - p) / 1.25) {
        long us = series == 0 ? r.percentileUs(p) : r.servicePercentileUs(p);
        double x = PAD + (W - 2 * PAD) * Math.min(Math.log10(1 / (1 - p / 100)), maxX) / maxX;
        double y = H - PAD - (H - 2 * PAD) * (us / 1e3) / maxMs;
        sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      sb.append("\"/>\n");
    }
    legend(sb, r.setup().openLoop()
        ? new String[] {"latency from intended send", "service time from actual send"}
        : new String[] {"latency"}, colors);
    sb.append("</svg>\n");
  }

  /** Bars: completions per second (left axis); line: p99 of each second (right axis). */
  private static void timelinePlot(StringBuilder sb, List<Timeline.Point> points) {
    if (points.isEmpty()) {
      sb.append("<p>No measured intervals.</p>\n");
      return;
    }
    double maxRps = 1;
    double maxP99 = 0.001;
    double maxT = 1;
    for (Timeline.Point p : points) {
      maxRps = Math.max(maxRps, p.rps());
      maxP99 = Math.max(maxP99, p.p99Us() / 1e3);
      maxT = Math.max(maxT, p.t());
    }
    maxRps = niceCeil(maxRps);
    maxP99 = niceCeil(maxP99);
    svgOpen(sb);
    axes(sb, maxRps, "req/s");
    for (int i = 0; i <= 4; i++) {
      double y = H - PAD - (H - 2 * PAD) * i / 4.0;
      sb.append(String.format(Locale.ROOT,
          "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" fill=\"#c33\">%s ms</text>", W - PAD + 4,
          y + 4, fmt(maxP99 * i / 4)));
    }
    double barW = Math.max(1, (W - 2 * PAD) / (maxT + 1) * 0.8);
    StringBuilder line = new StringBuilder();
    for (Timeline.Point p : points) {
      double x = PAD + (W - 2 * PAD) * p.t() / maxT;
      double h = (H - 2 * PAD) * p.rps() / maxRps;
      sb.append(String.format(Locale.ROOT,
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
          x - barW, H - PAD - h, barW, h, p.errors() > 0 ? "#e9a" : "#9bd"));
      line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x - barW / 2,
          H - PAD - (H - 2 * PAD) * (p.p99Us() / 1e3) / maxP99));
    }
    sb.append("<polyline fill=\"none\" stroke=\"#c33\" stroke-width=\"2\" points=\"")
        .append(line).append("\"/>\n");
    sb.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">seconds into the"
            + " window (0 to %s)</text>", W / 2, H - PAD + 28, fmt(maxT)));
    legend(sb, new String[] {"completions per second (pink: with errors)", "p99 of the second"},
        new String[] {"#9bd", "#c33"});
    sb.append("</svg>\n");
  }

  static void svgOpen(StringBuilder sb) {
    sb.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
        W, H, W, H));
  }

  static void axes(StringBuilder sb, double maxY, String unit) {
    sb.append(String.format(Locale.ROOT,
        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>"
            + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n",
        PAD, H - PAD, W - PAD, H - PAD, PAD, PAD, PAD, H - PAD));
    for (int i = 0; i <= 4; i++) {
      double y = H - PAD - (H - 2 * PAD) * i / 4.0;
      sb.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
              + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s %s</text>\n",
          PAD, y, W - PAD, y, PAD - 4, y + 4, fmt(maxY * i / 4), unit));
    }
  }

  static void legend(StringBuilder sb, String[] names, String[] colors) {
    for (int i = 0; i < names.length; i++) {
      sb.append(String.format(Locale.ROOT,
          "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
              + "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n",
          PAD + 10, 10 + 16 * i, colors[i], PAD + 28, 21 + 16 * i, esc(names[i])));
    }
  }

  /** 1, 2 or 5 times a power of ten, at least {@code v}. */
  static double niceCeil(double v) {
    if (v <= 0) {
      return 1;
    }
    double pow = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * pow >= v) {
        return m * pow;
      }
    }
    return 10 * pow;
  }

  static String fmt(double v) {
    return v >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.2g", v);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
