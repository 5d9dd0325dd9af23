package io.mlserve.server.alerts;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.metrics.PrometheusText;
import io.mlserve.server.testing.ManualClock;
import io.mlserve.server.testing.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MetricsWindow against PromQL itself: the same counters, sampled once a minute, are written as
 * promtool input series, and {@code promtool test rules} must find, at the last minute, exactly
 * the values MetricsWindow computed for the same window (latency quantiles by
 * {@code histogram_quantile} over {@code rate}, the error ratio, the request rate). Every series
 * starts from a non-zero count and grows steadily, so PromQL's extrapolation scales each by the
 * same factor and the ratios are exact.
 */
class MetricsWindowPromqlTest {
  private static final Scope V1 = new Scope("m", "1.0.0");
  private static final Duration TICK = Duration.ofMinutes(1);
  private static final Duration WINDOW = Duration.ofMinutes(5);

  @TempDir Path tmp;

  private static void record(ModelMetrics m, int n, double millis, InferenceException.Kind k) {
    for (int i = 0; i < n; i++) {
      m.requestStarted();
      m.requestFinished((long) (millis * 1_000_000), k);
    }
  }

  @Test
  void signalsEqualWhatPromqlComputesFromTheSameSeries() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
    ResourceUsage resources = new ResourceUsage(new CgroupLimits(tmp, tmp.resolve("self")),
        () -> 0, () -> 0, 1L << 30, 1, GpuProbe.NONE, System::nanoTime);
    MetricsWindow w = new MetricsWindow(DriftSignals.NONE, resources, clock, TICK, WINDOW);
    ModelMetrics m = new ModelMetrics("m", "1.0.0");
    // A baseline in every bucket and outcome series, so that none starts from 0.
    record(m, 1000, 0.05, null);
    record(m, 100, 0.05, InferenceException.Kind.INTERNAL);
    for (int i = 0; i < 50; i++) {
      m.requestStarted();
      m.requestCancelled(50_000);
    }
    double[] bounds = PrometheusText.latencyBucketsSeconds();
    List<List<Long>> buckets = new ArrayList<>();
    for (int i = 0; i <= bounds.length; i++) {
      buckets.add(new ArrayList<>());
    }
    List<List<Long>> outcomes = new ArrayList<>();
    for (int o = 0; o < ModelMetrics.OUTCOMES.length; o++) {
      outcomes.add(new ArrayList<>());
    }
    for (int minute = 0; minute <= 10; minute++) {
      if (minute > 0) {
        clock.advance(TICK);
        record(m, 40, 3, null);
        record(m, 6, 30, null);
        record(m, 3, 150, null);
        record(m, 4, 240, null);
        record(m, 2, 700, InferenceException.Kind.INTERNAL);
        record(m, 1, 5, InferenceException.Kind.INVALID_ARGUMENT);
        m.requestStarted();
        m.requestCancelled(1_000_000);
      }
      w.sample(Map.of(V1, m));
      long[] counts = PrometheusText.latencyBucketCounts(m.total().snapshot());
      for (int i = 0; i < counts.length; i++) {
        buckets.get(i).add(counts[i]);
      }
      for (int o = 0; o < ModelMetrics.OUTCOMES.length; o++) {
        outcomes.get(o).add(m.outcomeCount(o));
      }
    }
    StringBuilder yaml = new StringBuilder("evaluation_interval: 1m\ntests:\n  - interval: 1m\n"
        + "    input_series:\n");
    for (int i = 0; i <= bounds.length; i++) {
      String le = i < bounds.length ? PrometheusText.num(bounds[i]) : "+Inf";
      series(yaml, "mlserve_request_duration_seconds_bucket{le=\"" + le + "\"}", buckets.get(i));
    }
    for (int o = 0; o < ModelMetrics.OUTCOMES.length; o++) {
      series(yaml, "mlserve_requests_total{outcome=\"" + ModelMetrics.OUTCOMES[o] + "\"}",
          outcomes.get(o));
    }
    yaml.append("    promql_expr_test:\n");
    String range = "[" + WINDOW.toMinutes() + "m]";
    for (double q : new double[] {0.5, 0.95, 0.99}) {
      String signal = q == 0.5 ? SignalNames.LATENCY_P50_MS
          : q == 0.95 ? SignalNames.LATENCY_P95_MS : SignalNames.LATENCY_P99_MS;
      expect(yaml, "histogram_quantile(" + q + ", sum by (le) (rate("
          + "mlserve_request_duration_seconds_bucket" + range + ")))",
          w.value(signal, V1, WINDOW).getAsDouble() / 1000);
    }
    expect(yaml, "sum(rate(mlserve_requests_total{outcome!~\"ok|cancelled\"}" + range + "))"
        + " / sum(rate(mlserve_requests_total{outcome!=\"cancelled\"}" + range + "))",
        w.value(SignalNames.ERROR_RATE, V1, WINDOW).getAsDouble());
    expect(yaml, "sum(rate(mlserve_requests_total" + range + "))",
        w.value(SignalNames.REQUEST_RATE, V1, WINDOW).getAsDouble());
    Path file = tmp.resolve("window_test.yml");
    Files.writeString(file, yaml);
    Promtool.run("MetricsWindowPromqlTest", "the PromQL comparison", tmp, "test", "rules",
        file.getFileName().toString());
  }

  private static void series(StringBuilder yaml, String name, List<Long> values) {
    yaml.append("      - series: '").append(name).append("'\n        values: '");
    for (int i = 0; i < values.size(); i++) {
      yaml.append(i == 0 ? "" : " ").append(values.get(i));
    }
    yaml.append("'\n");
  }

  /** Expects {@code expr} to equal {@code value} within 1e-12 (rounding of the last digit). */
  private static void expect(StringBuilder yaml, String expr, double value) {
    String within = "abs((" + expr + ") - " + String.format(Locale.ROOT, "%.17g", value)
        + ") < bool 1e-12";
    yaml.append("      - expr: '").append(within.replace("'", "''")).append("'\n")
        .append("        eval_time: 10m\n        exp_samples:\n          - labels: '{}'\n")
        .append("            value: 1\n");
  }
}
