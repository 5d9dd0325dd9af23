package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

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
    RunSetup setup = result.setup();
    out.printf(Locale.ROOT, "%s -> %s%n", setup.shape(), setup.load());
    if (result.aborted()) {
      out.println("  ABORTED     " + result.abortReason());
    } else {
      out.printf(Locale.ROOT, "  window      %.2f s measured after %.2f s warm-up%n",
          result.durationSeconds(), setup.warmup().toNanos() / 1e9);
    }
    out.printf(Locale.ROOT, "  requests    %d (%d ok, %d failed)%n",
        result.requests(), result.ok(), result.failed());
    out.printf(Locale.ROOT, "  throughput  %.1f req/s%n", result.throughputRps());
    out.printf(Locale.ROOT,
        "  latency     p50 %s  p90 %s  p95 %s  p99 %s  p99.9 %s  max %s%n",
        micros(result.percentileUs(50)), micros(result.percentileUs(90)),
        micros(result.percentileUs(95)), micros(result.percentileUs(99)),
        micros(result.percentileUs(99.9)), micros(result.maxUs()));
    if (setup.openLoop()) {
      out.printf(Locale.ROOT, "  service     p50 %s  p99 %s  (from the actual send; latency above"
              + " runs from the intended send)%n",
          micros(result.servicePercentileUs(50)), micros(result.servicePercentileUs(99)));
    }
    out.println("  errors      " + errors(result.errors()));
    if (!result.versions().isEmpty()) {
      out.println("  versions    " + counts(result.versions()));
    }
    if (result.models().size() > 1) {
      for (RunResult.ModelResult m : result.models()) {
        out.printf(Locale.ROOT, "  model %-20s %d requests, %d failed, p50 %s, p99 %s%n",
            m.model(), m.requests(), m.errors(), micros(m.p50Us()), micros(m.p99Us()));
      }
    }
    GeneratorReport g = result.generator();
    if (g != null) {
      out.printf(Locale.ROOT, "  generator   send lateness p99 %s; %d late sends (> %s), max %s;"
              + " in-flight limit %d hit %d time(s)%n",
          micros(g.lagP99Us()), g.late(), micros(g.thresholdUs()), micros(g.maxLagUs()),
          g.maxInFlight(), g.limitWaits());
      if (g.behind()) {
        out.println("  WARNING     " + g.behindReason());
      }
    }
    if (result.unfinished() > 0) {
      out.println("  unfinished  " + result.unfinished()
          + " request(s) unanswered when the drain gave up (counted as NO_ANSWER)");
    }
    out.flush();
  }

  /** {@code "850 us"} below a millisecond, {@code "2.310 ms"} below a second, else seconds. */
  static String micros(long us) {
    if (us < 1_000) {
      return us + " us";
    }
    if (us < 1_000_000) {
      return String.format(Locale.ROOT, "%.3f ms", us / 1e3);
    }
    return String.format(Locale.ROOT, "%.3f s", us / 1e6);
  }

  static String errors(Map<String, Long> errors) {
    return errors.isEmpty() ? "none" : counts(errors);
  }

  static String counts(Map<String, Long> counts) {
    StringBuilder sb = new StringBuilder();
    counts.forEach((k, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=')
        .append(n));
    return sb.toString();
  }
}
