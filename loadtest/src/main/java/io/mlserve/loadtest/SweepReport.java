package io.mlserve.loadtest;

import static io.mlserve.loadtest.HtmlReport.H;
import static io.mlserve.loadtest.HtmlReport.PAD;
import static io.mlserve.loadtest.HtmlReport.W;
import static io.mlserve.loadtest.HtmlReport.cell;
import static io.mlserve.loadtest.HtmlReport.esc;
import static io.mlserve.loadtest.HtmlReport.fmt;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The self-contained HTML page of a sweep: the verdict, every step's offered and achieved rate
 * with its latencies (the table a sweep exists to produce), a plot of p99 against achieved rate
 * with the p99 target drawn across it, and the best step's latency-by-percentile plot. Charts are
 * inline SVG drawn here; nothing is fetched when the page opens. Written whatever the sweep's
 * outcome, also when no step held or the target was unreachable. Stateless; thread-safe.
 */
final class SweepReport {
  private SweepReport() {}

  static void write(List<SweepCommand.Step> steps, SweepCommand.Step best, Duration p99,
      String summary, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, render(steps, best, p99, summary), StandardCharsets.UTF_8);
  }

  static String render(List<SweepCommand.Step> steps, SweepCommand.Step best, Duration p99,
      String summary) {
    requireNonNull(steps, "steps");
    long targetUs = p99.toNanos() / 1_000;
    StringBuilder sb = new StringBuilder(16_384);
    sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mlserve sweep")
        .append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:60em}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;")
        .append("text-align:right}th{background:#eee}.bad{color:#b00;font-weight:bold}")
        .append(".ok{color:#070;font-weight:bold}svg{border:1px solid #ddd}</style></head>\n")
        .append("<body>\n<h1>mlserve sweep: highest rate with p99 &le; ")
        .append(esc(TextReport.micros(targetUs))).append("</h1>\n");
    if (!steps.isEmpty()) {
      RunSetup s = steps.get(0).result().setup();
      sb.append("<p>").append(esc(s.shape())).append(" &rarr; ").append(esc(s.load()))
          .append("</p>\n");
    }
    sb.append(best == null ? "<p class=\"bad\">" : "<p class=\"ok\">");
    String last = summary.strip();
    int cut = last.lastIndexOf("\n\n");
    sb.append(esc(cut < 0 ? last : last.substring(cut + 2)).replace("\n", "<br>"))
        .append("</p>\n");
    sb.append("<h2>Rate vs p99</h2>\n");
    table(sb, steps, best);
    plot(sb, steps, targetUs);
    if (best != null) {
      sb.append(String.format(Locale.ROOT, "<h2>Latency by percentile at %.0f req/s (the highest"
          + " rate that held)</h2>\n", best.rate()));
      HtmlReport.percentilePlot(sb, best.result());
    }
    sb.append("</body></html>\n");
    return sb.toString();
  }

  private static void table(StringBuilder sb, List<SweepCommand.Step> steps,
      SweepCommand.Step best) {
    if (steps.isEmpty()) {
      sb.append("<p>No step ran.</p>\n");
      return;
    }
    sb.append("<table>\n<tr><th>offered req/s</th><th>achieved req/s</th><th>p50</th>")
        .append("<th>p99</th><th>max</th><th>errors</th><th>verdict</th></tr>\n");
    for (SweepCommand.Step s : steps) {
      RunResult r = s.result();
      sb.append(s == best ? "<tr class=\"ok\">" : "<tr>");
      cell(sb, String.format(Locale.ROOT, "%.0f", s.rate()));
      cell(sb, String.format(Locale.ROOT, "%.0f", r.throughputRps()));
      cell(sb, TextReport.micros(r.percentileUs(50)));
      cell(sb, TextReport.micros(r.percentileUs(99)));
      cell(sb, TextReport.micros(r.maxUs()));
      cell(sb, Long.toString(r.failed()));
      cell(sb, s.failure() == null ? "held" : s.failure());
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
  }

  /** x: achieved req/s; y: p99 in ms; steps in rate order; the target as a dashed line. */
  private static void plot(StringBuilder sb, List<SweepCommand.Step> steps, long targetUs) {
    List<SweepCommand.Step> measured = steps.stream().filter(s -> !s.result().aborted())
        .sorted(Comparator.comparingDouble(SweepCommand.Step::rate)).toList();
    if (measured.isEmpty()) {
      sb.append("<p>Nothing was measured, so there is nothing to plot.</p>\n");
      return;
    }
    double maxRps = 1;
    double maxMs = targetUs / 1e3;
    for (SweepCommand.Step s : measured) {
      maxRps = Math.max(maxRps, Math.max(s.rate(), s.result().throughputRps()));
      maxMs = Math.max(maxMs, s.result().percentileUs(99) / 1e3);
    }
    maxRps = HtmlReport.niceCeil(maxRps);
    maxMs = HtmlReport.niceCeil(maxMs);
    HtmlReport.svgOpen(sb);
    HtmlReport.axes(sb, maxMs, "ms");
    for (int i = 0; i <= 4; i++) {
      double x = PAD + (W - 2 * PAD) * i / 4.0;
      sb.append(String.format(Locale.ROOT,
          "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>", x,
          H - PAD + 15, fmt(maxRps * i / 4)));
    }
    sb.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">achieved req/s</text>\n",
        W / 2, H - PAD + 30));
    double ty = y(targetUs / 1e3, maxMs);
    sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
        + " stroke=\"#b00\" stroke-dasharray=\"6,4\"/>\n", PAD, ty, W - PAD, ty));
    StringBuilder line = new StringBuilder();
    StringBuilder dots = new StringBuilder();
    for (SweepCommand.Step s : measured) {
      double x = PAD + (W - 2 * PAD) * s.result().throughputRps() / maxRps;
      double y = y(s.result().percentileUs(99) / 1e3, maxMs);
      line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\">"
              + "<title>%.0f req/s offered: p99 %s</title></circle>\n", x, y,
          s.failure() == null ? "#070" : "#b00", s.rate(),
          esc(TextReport.micros(s.result().percentileUs(99)))));
    }
    sb.append("<polyline fill=\"none\" stroke=\"#36c\" stroke-width=\"2\" points=\"")
        .append(line).append("\"/>\n").append(dots);
    HtmlReport.legend(sb, new String[] {"p99 of each step (green: held, red: failed)",
        "p99 target"}, new String[] {"#36c", "#b00"});
    sb.append("</svg>\n");
  }

  private static double y(double ms, double maxMs) {
    return H - PAD - (H - 2 * PAD) * ms / maxMs;
  }
}
