package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link RunResult} as JSON for scripts ({@code bench/}) and the HTML report. Scalar
 * fields come one per line, in a fixed order, so that shell tools can pick them out; the nested
 * ones ({@code errors}, {@code versions}, {@code models}, {@code timeline}, {@code percentiles})
 * come last. Latencies are integer microseconds. Stateless; thread-safe.
 */
final class JsonReport {
  private JsonReport() {}

  static String render(RunResult r) {
    return render(r, null);
  }

  /** The result, with the SLO verdict when {@code verdict} is not null. */
  static String render(RunResult r, Slo.Verdict verdict) {
    requireNonNull(r, "r");
    RunSetup s = r.setup();
    StringBuilder sb = new StringBuilder(2048).append("{\n");
    field(sb, "target", quote(s.target()));
    field(sb, "model", quote(s.models()));
    field(sb, "load", quote(s.load()));
    field(sb, "mode", quote(s.openLoop() ? "open_loop" : "closed_loop"));
    field(sb, "rate", decimal(s.rate()));
    field(sb, "concurrency", Integer.toString(s.concurrency()));
    field(sb, "channels", Integer.toString(s.channels()));
    field(sb, "features", Integer.toString(s.features()));
    field(sb, "raw", Boolean.toString(s.raw()));
    field(sb, "warmup_s", decimal(s.warmup().toNanos() / 1e9));
    field(sb, "duration_s", decimal(r.durationSeconds()));
    field(sb, "requests", Long.toString(r.requests()));
    field(sb, "ok", Long.toString(r.ok()));
    field(sb, "failed", Long.toString(r.failed()));
    field(sb, "throughput_rps", decimal(r.throughputRps()));
    field(sb, "mean_us", decimal(r.meanUs()));
    field(sb, "p50_us", Long.toString(r.percentileUs(50)));
    field(sb, "p90_us", Long.toString(r.percentileUs(90)));
    field(sb, "p95_us", Long.toString(r.percentileUs(95)));
    field(sb, "p99_us", Long.toString(r.percentileUs(99)));
    field(sb, "p999_us", Long.toString(r.percentileUs(99.9)));
    field(sb, "max_us", Long.toString(r.maxUs()));
    field(sb, "service_p50_us", Long.toString(r.servicePercentileUs(50)));
    field(sb, "service_p99_us", Long.toString(r.servicePercentileUs(99)));
    field(sb, "ok_p50_us", Long.toString(r.okPercentileUs(50)));
    field(sb, "ok_p99_us", Long.toString(r.okPercentileUs(99)));
    field(sb, "unfinished", Integer.toString(r.unfinished()));
    GeneratorReport g = r.generator();
    field(sb, "generator_behind", Boolean.toString(r.generatorBehind()));
    field(sb, "generator_late_sends", Long.toString(g == null ? 0 : g.late()));
    field(sb, "generator_max_lag_us", Long.toString(g == null ? 0 : g.maxLagUs()));
    field(sb, "generator_lag_p99_us", Long.toString(g == null ? 0 : g.lagP99Us()));
    field(sb, "aborted", r.abortReason() == null ? "null" : quote(r.abortReason()));
    if (verdict != null) {
      field(sb, "exit_code", Integer.toString(verdict.exitCode()));
      field(sb, "verdict", verdict.reason() == null ? "null" : quote(verdict.reason()));
    }
    sb.append("  \"errors\": ").append(counts(r.errors())).append(",\n");
    sb.append("  \"versions\": ").append(counts(r.versions())).append(",\n");
    sb.append("  \"models\": [");
    for (int i = 0; i < r.models().size(); i++) {
      RunResult.ModelResult m = r.models().get(i);
      sb.append(i == 0 ? "" : ", ").append("{\"model\": ").append(quote(m.model()))
          .append(", \"requests\": ").append(m.requests()).append(", \"errors\": ")
          .append(m.errors()).append(", \"p50_us\": ").append(m.p50Us())
          .append(", \"p99_us\": ").append(m.p99Us()).append('}');
    }
    sb.append("],\n  \"percentiles\": [");
    double[] ps = HtmlReport.PERCENTILES;
    for (int i = 0; i < ps.length; i++) {
      sb.append(i == 0 ? "" : ", ").append('[').append(ps[i]).append(", ")
          .append(r.percentileUs(ps[i])).append(", ").append(r.servicePercentileUs(ps[i]))
          .append(']');
    }
    sb.append("],\n  \"timeline\": [");
    for (int i = 0; i < r.timeline().size(); i++) {
      Timeline.Point p = r.timeline().get(i);
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT,
          "{\"t\": %.3f, \"requests\": %d, \"errors\": %d, \"rps\": %.1f, \"p50_us\": %d,"
              + " \"p99_us\": %d, \"max_us\": %d}",
          p.t(), p.requests(), p.errors(), p.rps(), p.p50Us(), p.p99Us(), p.maxUs()));
    }
    return sb.append("]\n}\n").toString();
  }

  /** Writes {@code json} to {@code file}, creating its parent directories. */
  static void write(String json, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, json, StandardCharsets.UTF_8);
  }

  static void write(RunResult r, Path file) throws IOException {
    write(render(r), file);
  }

  private static void field(StringBuilder sb, String name, String json) {
    sb.append("  ").append(quote(name)).append(": ").append(json).append(",\n");
  }

  static String counts(Map<String, Long> counts) {
    StringBuilder sb = new StringBuilder("{");
    counts.forEach((k, n) -> sb.append(sb.length() == 1 ? "" : ", ")
        .append(quote(k)).append(": ").append(n));
    return sb.append('}').toString();
  }

  static String decimal(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '<' -> sb.append("\\u003c"); // safe inside an HTML <script> block
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
