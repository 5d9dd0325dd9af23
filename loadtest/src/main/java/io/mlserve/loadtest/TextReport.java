package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** Renders a {@link RunResult} for people. Stateless; thread-safe. */
final class TextReport {
  private TextReport() {}

  /** Writes the multi-line end-of-run summary to {@code out} and flushes it. */
  static void print(RunResult result, PrintWriter out) {
    requireNonNull(result, "result");
    requireNonNull(out, "out");
    RunSpec spec = result.spec();
    out.printf(Locale.ROOT, "closed loop: %d in flight over %d channel(s) -> %s, model %s,"
            + " FP32 [1,%d] %s%n",
        spec.concurrency(), spec.channels(), spec.target(), spec.model(), spec.features(),
        spec.raw() ? "raw_input_contents" : "typed contents");
    if (result.aborted()) {
      out.println("  ABORTED     " + result.abortReason());
    } else {
      out.printf(Locale.ROOT, "  window      %.2f s measured after %.2f s warm-up%n",
          result.durationSeconds(), spec.warmup().toNanos() / 1e9);
    }
    out.printf(Locale.ROOT, "  requests    %d (%d ok, %d failed)%n",
        result.requests(), result.ok(), result.failed());
    out.printf(Locale.ROOT, "  throughput  %.1f req/s%n", result.throughputRps());
    out.printf(Locale.ROOT, "  latency     p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n",
        micros(result.percentileUs(50)), micros(result.percentileUs(90)),
        micros(result.percentileUs(99)), micros(result.percentileUs(99.9)),
        micros(result.maxUs()));
    out.println("  errors      " + errors(result.errors()));
    if (result.unfinished() > 0) {
      out.println("  unfinished  " + result.unfinished()
          + " call(s) still in flight when the drain gave up");
    }
    out.flush();
  }

  /** {@code "850 us"} below a millisecond, {@code "2.31 ms"} below a second, else seconds. */
  static String micros(long us) {
    if (us < 1_000) {
      return us + " us";
    }
    if (us < 1_000_000) {
      return String.format(Locale.ROOT, "%.3f ms", us / 1e3);
    }
    return String.format(Locale.ROOT, "%.3f s", us / 1e6);
  }

  static String errors(Map<Status.Code, Long> errors) {
    if (errors.isEmpty()) {
      return "none";
    }
    StringBuilder sb = new StringBuilder();
    errors.forEach((code, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(code)
        .append('=').append(n));
    return sb.toString();
  }
}
