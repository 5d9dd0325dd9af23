package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link RunResult} as JSON for scripts ({@code bench/}) and later reports. One field per
 * line, in a fixed order, so that shell tools can also pick fields out. Latencies are integer
 * microseconds; {@code errors} maps gRPC status code names to counts; {@code aborted} is the abort
 * reason or null. Stateless; thread-safe.
 */
final class JsonReport {
  private JsonReport() {}

  static String render(RunResult r) {
    requireNonNull(r, "r");
    RunSpec spec = r.spec();
    StringBuilder sb = new StringBuilder(512).append("{\n");
    field(sb, "target", quote(spec.target()));
    field(sb, "model", quote(spec.model()));
    field(sb, "mode", quote("closed_loop"));
    field(sb, "concurrency", Integer.toString(spec.concurrency()));
    field(sb, "channels", Integer.toString(spec.channels()));
    field(sb, "features", Integer.toString(spec.features()));
    field(sb, "raw", Boolean.toString(spec.raw()));
    field(sb, "warmup_s", decimal(spec.warmup().toNanos() / 1e9));
    field(sb, "duration_s", decimal(r.durationSeconds()));
    field(sb, "requests", Long.toString(r.requests()));
    field(sb, "ok", Long.toString(r.ok()));
    field(sb, "failed", Long.toString(r.failed()));
    field(sb, "throughput_rps", decimal(r.throughputRps()));
    field(sb, "mean_us", decimal(r.meanUs()));
    field(sb, "p50_us", Long.toString(r.percentileUs(50)));
    field(sb, "p90_us", Long.toString(r.percentileUs(90)));
    field(sb, "p99_us", Long.toString(r.percentileUs(99)));
    field(sb, "p999_us", Long.toString(r.percentileUs(99.9)));
    field(sb, "max_us", Long.toString(r.maxUs()));
    field(sb, "unfinished", Integer.toString(r.unfinished()));
    field(sb, "aborted", r.abortReason() == null ? "null" : quote(r.abortReason()));
    sb.append("  \"errors\": ").append(errors(r.errors())).append("\n}\n");
    return sb.toString();
  }

  /** Writes {@link #render} to {@code file}, creating its parent directories. */
  static void write(RunResult r, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, render(r), StandardCharsets.UTF_8);
  }

  private static void field(StringBuilder sb, String name, String json) {
    sb.append("  ").append(quote(name)).append(": ").append(json).append(",\n");
  }

  private static String errors(Map<Status.Code, Long> errors) {
    StringBuilder sb = new StringBuilder("{");
    errors.forEach((code, n) -> sb.append(sb.length() == 1 ? "" : ", ")
        .append(quote(code.name())).append(": ").append(n));
    return sb.append('}').toString();
  }

  private static String decimal(double v) {
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
