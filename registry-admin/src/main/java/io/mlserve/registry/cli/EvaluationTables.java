package io.mlserve.registry.cli;

import io.mlserve.evaluation.Delta;
import io.mlserve.evaluation.Evaluation;
import io.mlserve.evaluation.LatencyStats;
import io.mlserve.evaluation.VersionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Evaluations as mlctl prints them in table mode. Stateless. */
final class EvaluationTables {
  private EvaluationTables() {}

  /** One evaluation: what ran, both versions' metrics with deltas, latency, verdict. */
  static String evaluation(Evaluation e) {
    StringBuilder sb = new StringBuilder();
    sb.append("evaluation ").append(e.id()).append(" of ").append(e.model()).append(':')
        .append(e.version()).append(" on dataset '").append(e.dataset().name()).append("' (")
        .append(e.dataset().rows()).append(" rows, sha256 ")
        .append(e.dataset().sha256(), 0, Math.min(12, e.dataset().sha256().length()))
        .append("), ").append(e.kind().wireName()).append(", baseline ")
        .append(e.baselineVersion() == null ? "none" : e.baselineVersion()).append('\n');
    sb.append("by ").append(e.actor()).append(", ").append(e.startedAt()).append(", took ")
        .append(seconds(Duration.between(e.startedAt(), e.finishedAt()))).append("\n\n");
    List<String> header = new ArrayList<>(List.of("metric", e.version()));
    if (e.baseline() != null) {
      header.addAll(List.of(e.baselineVersion(), "delta", "delta %"));
    }
    List<List<String>> rows = new ArrayList<>();
    if (e.baseline() == null) {
      for (Map.Entry<String, Double> m : e.candidate().metrics().values().entrySet()) {
        rows.add(List.of(m.getKey(), num(m.getValue())));
      }
    } else {
      for (Delta d : e.deltas()) {
        rows.add(List.of(d.metric(), num(d.candidate()), num(d.baseline()), signed(d.absolute()),
            d.relative() == null ? "" : String.format(Locale.ROOT, "%+.2f%%",
                d.relative() * 100)));
      }
    }
    sb.append(Output.render(header, rows)).append("\n\n");
    List<List<String>> lat = new ArrayList<>();
    lat.add(latency(e.candidate()));
    if (e.baseline() != null) {
      lat.add(latency(e.baseline()));
    }
    sb.append(Output.render(List.of("latency", "calls", "rows", "p50 ms", "p95 ms", "p99 ms",
        "rows/s"), lat));
    for (String note : e.candidate().metrics().notes()) {
      sb.append("\nnote: ").append(note);
    }
    if (e.verdict() != null) {
      sb.append("\nverdict: ").append(e.verdict().outcome().wireName());
    }
    return sb.toString();
  }

  /** A listing: one line per evaluation with its headline metrics. */
  static String listing(List<Evaluation> list) {
    List<List<String>> rows = new ArrayList<>();
    for (Evaluation e : list) {
      StringBuilder metrics = new StringBuilder();
      e.candidate().metrics().values().entrySet().stream().limit(4).forEach(m -> metrics
          .append(metrics.length() == 0 ? "" : " ").append(m.getKey()).append('=')
          .append(num(m.getValue())));
      rows.add(List.of(e.id(), e.dataset().name(),
          e.baselineVersion() == null ? "" : e.baselineVersion(), metrics.toString(),
          e.verdict() == null ? "" : e.verdict().outcome().wireName(),
          e.startedAt().toString(), e.actor()));
    }
    return Output.render(List.of("id", "dataset", "baseline", "metrics", "verdict", "when",
        "who"), rows);
  }

  private static List<String> latency(VersionResult r) {
    LatencyStats s = r.latency().overall();
    return List.of(r.version(), String.valueOf(s.calls()), String.valueOf(s.rows()),
        ms(s.p50Ms()), ms(s.p95Ms()), ms(s.p99Ms()),
        String.format(Locale.ROOT, "%.0f", s.rowsPerSecond()));
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  static String num(Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%.6g", v);
  }

  private static String signed(Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%+.6g", v);
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9);
  }
}
