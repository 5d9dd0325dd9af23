package io.mlserve.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.drift.DriftAlertSignals;
import io.mlserve.server.drift.DriftSnapshot;
import io.mlserve.server.drift.DriftView;
import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsWindowTest {
  private static final Duration TICK = Duration.ofSeconds(5);
  private static final Scope V1 = new Scope("m", "1.0.0");

  @TempDir Path tmp;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
  private final AtomicLong cpuNanos = new AtomicLong();
  private final ModelMetrics metrics = new ModelMetrics("m", "1.0.0");

  private ResourceUsage resources(GpuProbe gpus) {
    // No cgroup files: 4 processors and 4 GiB of physical memory, 1 GiB resident.
    return new ResourceUsage(new CgroupLimits(tmp, tmp.resolve("self")), cpuNanos::get,
        () -> 1L << 30, 4L << 30, 4, gpus, System::nanoTime);
  }

  private MetricsWindow window(DriftView drift, Duration longest) {
    return new MetricsWindow(new DriftAlertSignals(drift), resources(GpuProbe.NONE), clock,
        TICK, longest);
  }

  private static void ok(ModelMetrics m, int n, long millis) {
    for (int i = 0; i < n; i++) {
      m.requestStarted();
      m.requestFinished(millis * 1_000_000, null);
    }
  }

  private void tick(MetricsWindow w) {
    clock.advance(TICK);
    w.sample(Map.of(V1, metrics));
  }

  private static double value(MetricsWindow w, String signal, Duration window) {
    OptionalDouble v = w.value(signal, V1, window);
    assertTrue(v.isPresent(), signal + " has a value");
    return v.getAsDouble();
  }

  @Test
  void latencyQuantilesInterpolateWithinBucketsAsHistogramQuantileDoes() {
    MetricsWindow w = window(DriftView.NONE, Duration.ofMinutes(5));
    ok(metrics, 7, 1); // before the window: must not count
    w.sample(Map.of(V1, metrics));
    ok(metrics, 90, 40); // bucket (0.025, 0.05]
    ok(metrics, 10, 150); // bucket (0.1, 0.2]
    tick(w);
    Duration win = Duration.ofMinutes(1);
    // p50: rank 50 of 100, in (0.025, 0.05] holding 90 -> 25 + 25 * 50/90 ms.
    assertEquals(25 + 25 * 50.0 / 90, value(w, SignalNames.LATENCY_P50_MS, win), 1e-9);
    // p95: rank 95, 90 below 0.1 s, 10 in (0.1, 0.2] -> 100 + 100 * 5/10 ms.
    assertEquals(150, value(w, SignalNames.LATENCY_P95_MS, win), 1e-9);
    // p99: 100 + 100 * 9/10 ms.
    assertEquals(190, value(w, SignalNames.LATENCY_P99_MS, win), 1e-9);
  }

  @Test
  void theSeedsTwoHundredMillisecondThresholdIsABucketBoundary() {
    MetricsWindow w = window(DriftView.NONE, Duration.ofMinutes(5));
    w.sample(Map.of(V1, metrics));
    ok(metrics, 95, 20);
    ok(metrics, 5, 240); // exactly 5% slower than 200 ms: p95 is not above it
    tick(w);
    // rank 95 is reached in (0.01, 0.025]: 10 + 15 * 95/95 ms.
    assertEquals(25, value(w, SignalNames.LATENCY_P95_MS, Duration.ofMinutes(1)), 1e-9);
    ok(metrics, 1, 240); // now 6 of 101 above 200 ms: p95 above it
    tick(w);
    double p95 = value(w, SignalNames.LATENCY_P95_MS, Duration.ofMinutes(1));
    // rank 95.95; 95 at or below 0.2 s; 6 in (0.2, 0.25] -> 200 + 50 * 0.95/6 ms. Without the
    // 0.2 s bound this would interpolate in (0.1, 0.25]: 100 + 150 * 0.95/6 = 124 ms, no alert.
    assertEquals(200 + 50 * 0.95 / 6, p95, 1e-9);
  }

  @Test
  void ratesAreTheIncreaseSinceTheSnapshotAWindowBeforeTheNewest() {
    MetricsWindow w = window(DriftView.NONE, Duration.ofMinutes(5));
    w.sample(Map.of(V1, metrics)); // t0
    for (int i = 0; i < 10; i++) {
      metrics.requestStarted();
      metrics.requestFinished(1_000_000, InferenceException.Kind.INTERNAL);
    }
    tick(w); // t5
    ok(metrics, 10, 1);
    tick(w); // t10
    ok(metrics, 8, 1);
    metrics.requestStarted();
    metrics.requestCancelled(1_000_000);
    metrics.requestStarted();
    metrics.requestCancelled(1_000_000);
    tick(w); // t15
    // Over 10 s: since t5, 18 ok and 2 cancelled: no failure; 20 requests in 10 s.
    assertEquals(0, value(w, SignalNames.ERROR_RATE, Duration.ofSeconds(10)), 0);
    assertEquals(2.0, value(w, SignalNames.REQUEST_RATE, Duration.ofSeconds(10)), 1e-12);
    // Over 15 s: 10 failures of 28 answered (the 2 cancelled count as neither).
    assertEquals(10.0 / 28, value(w, SignalNames.ERROR_RATE, Duration.ofSeconds(15)), 1e-12);
    assertEquals(30 / 15.0, value(w, SignalNames.REQUEST_RATE, Duration.ofSeconds(15)), 1e-12);
    // A window longer than the history uses the oldest snapshot (as a range with fewer points).
    assertEquals(10.0 / 28, value(w, SignalNames.ERROR_RATE, Duration.ofMinutes(5)), 1e-12);
    // A window shorter than the tick uses the previous snapshot.
    assertEquals(10 / 5.0, value(w, SignalNames.REQUEST_RATE, Duration.ofSeconds(1)), 1e-12);
  }

  @Test
  void noRequestsInTheWindowLeavesLatencyAndErrorsEmptyAndTheRateZero() {
    MetricsWindow w = window(DriftView.NONE, Duration.ofMinutes(5));
    assertTrue(w.value(SignalNames.REQUEST_RATE, V1, TICK).isEmpty(), "never sampled");
    ok(metrics, 5, 300);
    w.sample(Map.of(V1, metrics));
    assertTrue(w.value(SignalNames.REQUEST_RATE, V1, TICK).isEmpty(), "one snapshot: no rate");
    tick(w);
    Duration win = Duration.ofSeconds(5);
    assertTrue(w.value(SignalNames.LATENCY_P95_MS, V1, win).isEmpty());
    assertTrue(w.value(SignalNames.ERROR_RATE, V1, win).isEmpty());
    assertEquals(0, value(w, SignalNames.REQUEST_RATE, win), 0);
  }

  @Test
  void ringsAreBoundedAndVersionsNoLongerServedAreForgotten() {
    assertEquals(62, MetricsWindow.capacity(TICK, Duration.ofMinutes(5)));
    assertEquals(3602, MetricsWindow.capacity(Duration.ofSeconds(1), Duration.ofHours(10)));
    assertEquals(MetricsWindow.MAX_SNAPSHOTS,
        MetricsWindow.capacity(Duration.ofMillis(1), Duration.ofHours(1)));
    MetricsWindow w = window(DriftView.NONE, Duration.ofSeconds(20)); // 6 snapshots
    assertEquals(6, w.capacity());
    w.sample(Map.of(V1, metrics));
    for (int i = 0; i < 100; i++) {
      ok(metrics, 1, 1);
      tick(w);
    }
    // Only 6 snapshots remain: an hour's window spans the last 5 ticks, 25 s, 5 requests.
    assertEquals(5 / 25.0, value(w, SignalNames.REQUEST_RATE, Duration.ofHours(1)), 1e-12);
    clock.advance(TICK);
    w.sample(Map.of());
    assertTrue(w.value(SignalNames.REQUEST_RATE, V1, TICK).isEmpty(), "forgotten");
    assertTrue(w.value(SignalNames.QUEUE_DEPTH, V1, TICK).isEmpty(), "forgotten");
  }

  @Test
  void queueDepthIsReadNow() {
    MetricsWindow w = window(DriftView.NONE, Duration.ofMinutes(5));
    metrics.queueDepthFrom(() -> 7);
    w.sample(Map.of(V1, metrics));
    assertEquals(7, value(w, SignalNames.QUEUE_DEPTH, TICK), 0);
  }

  @Test
  void driftSignalsComeFromTheLatestSnapshotAndNaNIsEmpty() {
    DriftView drift = (model, version) -> model.equals("m") && version.equals("1.0.0")
        ? Optional.of(new DriftSnapshot("m", "1.0.0", 0, 500, false, 0.25, 0.31, 0.12,
            Double.NaN, 0.4))
        : Optional.empty();
    MetricsWindow w = window(drift, Duration.ofMinutes(5));
    assertEquals(0.25, value(w, SignalNames.DRIFT_SHARE, TICK), 0);
    assertEquals(0.31, value(w, SignalNames.FEATURE_PSI_MAX, TICK), 0);
    assertEquals(0.12, value(w, SignalNames.FEATURE_KS_MAX, TICK), 0);
    assertEquals(0.4, value(w, SignalNames.PERFORMANCE_DRIFT, TICK), 0);
    assertTrue(w.value(SignalNames.PREDICTION_PSI_MAX, V1, TICK).isEmpty(), "NaN");
    assertTrue(w.value(SignalNames.DRIFT_SHARE, new Scope("m", "2.0.0"), TICK).isEmpty());
    assertTrue(w.value(SignalNames.DRIFT_SHARE, Scope.PROCESS, TICK).isEmpty(),
        "a model signal has no value for the process");
  }

  @Test
  void processSignalsMeasureCpuOverTheWindowAgainstTheLimit() {
    GpuProbe gpus = () -> List.of(new GpuProbe.Gpu(0, 30, 100), new GpuProbe.Gpu(1, 60, 80));
    MetricsWindow w = new MetricsWindow(DriftSignals.NONE, resources(gpus), clock, TICK,
        Duration.ofMinutes(1));
    w.sample(Map.of());
    cpuNanos.addAndGet(Duration.ofSeconds(10).toNanos()); // 2 cores busy for 5 s
    tick(w);
    cpuNanos.addAndGet(Duration.ofSeconds(5).toNanos()); // 1 core for 5 s
    tick(w);
    Scope p = Scope.PROCESS;
    assertEquals(0.25, w.value(SignalNames.CPU_UTILIZATION, p, TICK).getAsDouble(), 1e-12);
    assertEquals(15.0 / 10 / 4,
        w.value(SignalNames.CPU_UTILIZATION, p, Duration.ofSeconds(10)).getAsDouble(), 1e-12);
    assertEquals(0.25, w.value(SignalNames.MEMORY_UTILIZATION, p, TICK).getAsDouble(), 0);
    assertEquals(0.75, w.value(SignalNames.GPU_MEMORY_UTILIZATION, p, TICK).getAsDouble(), 0);
    assertTrue(w.value(SignalNames.GPU_UTILIZATION, p, TICK).isEmpty());
    assertTrue(w.value(SignalNames.CPU_UTILIZATION, V1, TICK).isEmpty(),
        "a process signal has no value for a model version");
  }
}
