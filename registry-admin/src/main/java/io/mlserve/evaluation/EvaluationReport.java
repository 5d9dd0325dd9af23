package io.mlserve.evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders an {@link Evaluation} as one self-contained HTML page: the run's facts, the verdict
 * if any, tables of both versions' metrics with the deltas, the notes, latency per batch size,
 * and inline SVG plots where they help (for a regression: the error distribution and
 * predicted-vs-actual from the sample, and the error per output value). No script, no external
 * asset, every string escaped, so the page opens in any browser without a network. Stateless;
 * thread-safe.
 */
public final class EvaluationReport {
  private static final int BINS = 30;

  private EvaluationReport() {}

  /** The report page. */
  public static String render(Evaluation e) {
    StringBuilder h = new StringBuilder(64 * 1024);
    String title = "Evaluation of " + e.model() + ":" + e.version()
        + (e.baselineVersion() == null ? "" : " against " + e.baselineVersion());
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(Html.escape(title)).append("</title>\n<style>")
        .append("body{font-family:sans-serif;margin:2em;max-width:70em;color:#222}")
        .append("table{border-collapse:collapse;margin:0.5em 0 1.5em}")
        .append("th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:right}")
        .append("th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}")
        .append(".pass{color:#186a18}.fail{color:#a01818}.inconclusive{color:#8a6d00}")
        .append("figure{display:inline-block;margin:0 1em 1em 0}")
        .append("</style></head><body>\n<h1>").append(Html.escape(title)).append("</h1>\n");
    facts(h, e);
    verdict(h, e);
    metrics(h, e);
    notes(h, e);
    latency(h, e);
    if (e.kind() == TaskKind.REGRESSION) {
      plots(h, e);
    }
    return h.append("</body></html>\n").toString();
  }

  private static void facts(StringBuilder h, Evaluation e) {
    h.append("<table>\n");
    row(h, "id", e.id());
    row(h, "model", e.model());
    row(h, "candidate version", e.version());
    row(h, "baseline version", e.baselineVersion() == null ? "none" : e.baselineVersion());
    row(h, "dataset", e.dataset().name() + " (" + e.dataset().rows() + " rows)");
    row(h, "dataset sha256", e.dataset().sha256());
    row(h, "kind", e.kind().wireName());
    row(h, "started", e.startedAt().toString());
    row(h, "finished", e.finishedAt().toString());
    row(h, "run by", e.actor());
    h.append("</table>\n");
  }

  private static void row(StringBuilder h, String k, String v) {
    h.append("<tr><th>").append(Html.escape(k)).append("</th><td>").append(Html.escape(v))
        .append("</td></tr>\n");
  }

  private static void verdict(StringBuilder h, Evaluation e) {
    if (e.verdict() == null) {
      return;
    }
    String o = e.verdict().outcome().wireName();
    h.append("<h2>Verdict: <span class=\"").append(o).append("\">").append(o)
        .append("</span></h2>\n<table><tr><th>gate</th><th>rule</th><th>actual</th>")
        .append("<th>bound</th><th>outcome</th><th>detail</th></tr>\n");
    for (GateResult g : e.verdict().gates()) {
      String go = g.outcome().wireName();
      h.append("<tr><td>").append(Html.escape(g.metric())).append("</td><td>")
          .append(Html.escape(g.rule())).append("</td><td>").append(Html.num(g.actual()))
          .append("</td><td>").append(Html.num(g.bound())).append("</td><td class=\"")
          .append(go).append("\">").append(go).append("</td><td>")
          .append(Html.escape(g.detail())).append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void metrics(StringBuilder h, Evaluation e) {
    boolean base = e.baseline() != null;
    h.append("<h2>Metrics</h2>\n<table><tr><th>metric</th><th>")
        .append(Html.escape(e.version())).append(" (candidate)</th>");
    if (base) {
      h.append("<th>").append(Html.escape(e.baselineVersion()))
          .append(" (baseline)</th><th>Δ absolute</th><th>Δ relative</th>");
    }
    h.append("</tr>\n<tr><td>rows</td><td>").append(e.candidate().metrics().rows())
        .append("</td>");
    if (base) {
      h.append("<td>").append(e.baseline().metrics().rows()).append("</td><td></td><td></td>");
    }
    h.append("</tr>\n");
    for (Delta d : deltasOrCandidate(e)) {
      h.append("<tr><td>").append(Html.escape(d.metric())).append("</td><td>")
          .append(Html.num(d.candidate())).append("</td>");
      if (base) {
        h.append("<td>").append(Html.num(d.baseline())).append("</td><td>")
            .append(Html.num(d.absolute())).append("</td><td>").append(Html.percent(d.relative()))
            .append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n");
    if (!e.candidate().metrics().outputs().isEmpty()
        && e.candidate().metrics().outputs().size() > 1) {
      perOutputTable(h, e);
    }
  }

  private static List<Delta> deltasOrCandidate(Evaluation e) {
    if (e.baseline() != null) {
      return e.deltas();
    }
    List<Delta> out = new ArrayList<>();
    e.candidate().metrics().values().forEach((k, v) -> out.add(Delta.of(k, v, null)));
    return out;
  }

  private static void perOutputTable(StringBuilder h, Evaluation e) {
    h.append("<details><summary>Per output value</summary>\n<table><tr><th>output</th>")
        .append("<th>MAE</th><th>RMSE</th><th>MAPE</th><th>R²</th>");
    if (e.baseline() != null) {
      h.append("<th>baseline MAE</th><th>baseline RMSE</th>");
    }
    h.append("</tr>\n");
    List<MetricSet.OutputMetrics> c = e.candidate().metrics().outputs();
    List<MetricSet.OutputMetrics> b = e.baseline() == null ? List.of()
        : e.baseline().metrics().outputs();
    for (int i = 0; i < c.size(); i++) {
      MetricSet.OutputMetrics o = c.get(i);
      h.append("<tr><td>").append(o.index()).append("</td><td>").append(Html.num(o.mae()))
          .append("</td><td>").append(Html.num(o.rmse())).append("</td><td>")
          .append(Html.num(o.mape())).append("</td><td>").append(Html.num(o.r2()))
          .append("</td>");
      if (i < b.size()) {
        h.append("<td>").append(Html.num(b.get(i).mae())).append("</td><td>")
            .append(Html.num(b.get(i).rmse())).append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</table></details>\n");
  }

  private static void notes(StringBuilder h, Evaluation e) {
    List<String> lines = new ArrayList<>();
    e.candidate().metrics().notes().forEach(n -> lines.add(e.version() + ": " + n));
    if (e.baseline() != null) {
      e.baseline().metrics().notes().forEach(n -> lines.add(e.baselineVersion() + ": " + n));
    }
    if (lines.isEmpty()) {
      return;
    }
    h.append("<h2>Notes</h2>\n<ul>\n");
    lines.forEach(l -> h.append("<li>").append(Html.escape(l)).append("</li>\n"));
    h.append("</ul>\n");
  }

  private static void latency(StringBuilder h, Evaluation e) {
    h.append("<h2>Latency of the predictor calls</h2>\n<table><tr><th>version</th>")
        .append("<th>batch size</th><th>calls</th><th>rows</th><th>mean ms</th>")
        .append("<th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th>")
        .append("<th>rows/s</th></tr>\n");
    latencyRows(h, e.candidate());
    if (e.baseline() != null) {
      latencyRows(h, e.baseline());
    }
    h.append("</table>\n");
  }

  private static void latencyRows(StringBuilder h, VersionResult r) {
    List<LatencyStats> rows = new ArrayList<>(r.latency().byBatchSize());
    rows.add(r.latency().overall());
    for (LatencyStats s : rows) {
      h.append("<tr><td>").append(Html.escape(r.version())).append("</td><td>")
          .append(s.batchSize() == null ? "all" : s.batchSize().toString()).append("</td><td>")
          .append(s.calls()).append("</td><td>").append(s.rows()).append("</td><td>")
          .append(Html.num(s.meanMs())).append("</td><td>").append(Html.num(s.p50Ms()))
          .append("</td><td>").append(Html.num(s.p95Ms())).append("</td><td>")
          .append(Html.num(s.p99Ms())).append("</td><td>").append(Html.num(s.maxMs()))
          .append("</td><td>").append(Html.num(s.rowsPerSecond())).append("</td></tr>\n");
    }
  }

  private static void plots(StringBuilder h, Evaluation e) {
    List<SamplePoint> sample = e.sample();
    boolean base = e.baseline() != null;
    h.append("<h2>Plots</h2>\n<p>From a uniform random sample of ").append(sample.size())
        .append(" scored values.</p>\n");
    if (!sample.isEmpty()) {
      double[] labels = new double[sample.size()];
      double[] cand = new double[sample.size()];
      double[] candErr = new double[sample.size()];
      double[] baseVals = new double[sample.size()];
      double[] baseErr = new double[sample.size()];
      for (int i = 0; i < sample.size(); i++) {
        SamplePoint p = sample.get(i);
        labels[i] = p.label();
        cand[i] = p.candidate();
        candErr[i] = p.candidate() - p.label();
        if (base) {
          baseVals[i] = p.baseline();
          baseErr[i] = p.baseline() - p.label();
        }
      }
      figure(h, "Error distribution (prediction − label)", SvgPlots.histogram(
          "prediction − label", series(e, candErr, baseErr), BINS));
      figure(h, "Predicted vs actual", SvgPlots.scatter("label", "prediction", labels,
          series(e, cand, baseVals)));
    }
    List<MetricSet.OutputMetrics> outs = e.candidate().metrics().outputs();
    if (outs.size() > 1) {
      double[] c = outs.stream().mapToDouble(MetricSet.OutputMetrics::mae).toArray();
      double[] b = base ? e.baseline().metrics().outputs().stream()
          .mapToDouble(MetricSet.OutputMetrics::mae).toArray() : null;
      figure(h, "MAE per output value", SvgPlots.bars("output value", "MAE",
          series(e, c, b != null && b.length == c.length ? b : null)));
    }
  }

  private static List<SvgPlots.Series> series(Evaluation e, double[] cand, double[] base) {
    List<SvgPlots.Series> s = new ArrayList<>();
    s.add(new SvgPlots.Series(e.version(), SvgPlots.CANDIDATE_COLOUR, cand));
    if (e.baseline() != null && base != null) {
      s.add(new SvgPlots.Series(e.baselineVersion(), SvgPlots.BASELINE_COLOUR, base));
    }
    return s;
  }

  private static void figure(StringBuilder h, String caption, String svg) {
    if (svg.isEmpty()) {
      return;
    }
    h.append("<figure>").append(svg).append("<figcaption>").append(Html.escape(caption))
        .append("</figcaption></figure>\n");
  }
}
