package io.mlserve.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.store.FileOps;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsSamplerTest {
  static final long T0_MS = 20_000L * 86_400_000L; // a UTC midnight

  @TempDir Path dir;
  final MetricsRegistry registry = new MetricsRegistry();
  final ManualClock clock = new ManualClock(T0_MS);

  static Map<SeriesKey, Double> byKey(List<Point> points) {
    return points.stream().collect(Collectors.toMap(Point::key, Point::value));
  }

  static SeriesKey v(Metric m) {
    return SeriesKey.ofVersion(m, "m", "1.0.0");
  }

  /** {@code n} requests of {@code micros} each, {@code failed} of them failed. */
  static void serve(ModelMetrics m, int n, long micros, int failed) {
    for (int i = 0; i < n; i++) {
      m.requestStarted();
      m.requestFinished(micros * 1000, i < failed ? InferenceException.Kind.INTERNAL : null);
    }
  }

  @Test
  void turnsCounterDeltasIntoRatesAndTheIntervalsQuantiles() {
    LiveRing live = new LiveRing(300, 100);
    MetricsSampler sampler = new MetricsSampler(registry, clock, live, null);
    ModelMetrics m = registry.forVersion("m", "1.0.0");
    serve(m, 50, 100_000, 0); // before the baseline: not in any interval
    assertEquals(List.of(), sampler.tick(), "the first tick is the baseline");

    serve(m, 98, 1_000, 0);
    serve(m, 2, 9_000, 1);
    m.onBatch(4, 40, 1_000);
    m.onBatch(4, 20, 1_000);
    clock.advanceMillis(2_000);
    Map<SeriesKey, Double> p = byKey(sampler.tick());
    assertEquals(50.0, p.get(v(Metric.RATE)), "100 requests in 2 s");
    assertEquals(0.01, p.get(v(Metric.ERROR_RATE)), 1e-12);
    assertEquals(1.0, p.get(v(Metric.P50_MS)), 0.01, "the interval's, not since start");
    assertEquals(1.0, p.get(v(Metric.P95_MS)), 0.01);
    assertEquals(9.0, p.get(v(Metric.P99_MS)), 0.01);
    assertEquals(30.0, p.get(v(Metric.BATCH_ROWS_MEAN)));
    assertEquals(0.0, p.get(v(Metric.IN_FLIGHT)));
    assertTrue(p.containsKey(SeriesKey.ofProcess(Metric.CPU_RATIO)));
    assertTrue(p.get(SeriesKey.ofProcess(Metric.THREADS)) > 0);

    clock.advanceMillis(1_000);
    m.requestStarted(); // one in flight, none finished
    Map<SeriesKey, Double> idle = byKey(sampler.tick());
    assertEquals(0.0, idle.get(v(Metric.RATE)));
    assertEquals(1.0, idle.get(v(Metric.IN_FLIGHT)));
    assertFalse(idle.containsKey(v(Metric.P95_MS)), "no request ended: no latency point");

    LiveRing.Window w = live.read(2, k -> k.equals(v(Metric.RATE)));
    assertEquals(List.of(50.0, 0.0), List.of(w.values().get(v(Metric.RATE))[0],
        w.values().get(v(Metric.RATE))[1]));
  }

  @Test
  void aScrapeBetweenTicksDoesNotHideRequestsFromTheSampler() {
    MetricsSampler sampler = new MetricsSampler(registry, clock, new LiveRing(300, 100), null);
    ModelMetrics m = registry.forVersion("m", "1.0.0");
    sampler.tick();
    serve(m, 10, 7_000, 0);
    m.total().snapshot(); // what /metrics does: drains the recorder
    serve(m, 10, 1_000, 0);
    clock.advanceMillis(1_000);
    Map<SeriesKey, Double> p = byKey(sampler.tick());
    assertEquals(1.0, p.get(v(Metric.P50_MS)), 0.01);
    assertEquals(7.0, p.get(v(Metric.P95_MS)), 0.01, "the 10 slow ones the scrape drained");
  }

  @Test
  void countsRequestsPerTransport() {
    MetricsSampler sampler = new MetricsSampler(registry, clock, new LiveRing(300, 100), null);
    sampler.tick();
    for (int i = 0; i < 6; i++) {
      registry.recordTransport(i < 4 ? "grpc" : "http");
    }
    clock.advanceMillis(2_000);
    Map<SeriesKey, Double> p = byKey(sampler.tick());
    assertEquals(2.0, p.get(SeriesKey.ofTransport("grpc")));
    assertEquals(1.0, p.get(SeriesKey.ofTransport("http")));
  }

  @Test
  void aTickInTheSameSecondIsSkipped() {
    MetricsSampler sampler = new MetricsSampler(registry, clock, new LiveRing(300, 100), null);
    registry.forVersion("m", "1.0.0");
    sampler.tick();
    clock.advanceMillis(1_000);
    assertFalse(sampler.tick().isEmpty());
    clock.advanceMillis(400);
    assertEquals(List.of(), sampler.tick());
  }

  @Test
  void aWallClockSetBackRestartsSamplingInsteadOfStallingUntilItCatchesUp() {
    LiveRing live = new LiveRing(300, 100);
    MetricsSampler sampler = new MetricsSampler(registry, clock, live, null);
    ModelMetrics m = registry.forVersion("m", "1.0.0");
    sampler.tick();
    clock.advanceMillis(1_000);
    assertFalse(sampler.tick().isEmpty());
    clock.advanceMillis(-3_600_000); // NTP set the clock back an hour
    assertEquals(List.of(), sampler.tick(), "a new baseline");
    serve(m, 4, 1_000, 0);
    clock.advanceMillis(1_000);
    assertEquals(4.0, byKey(sampler.tick()).get(v(Metric.RATE)));
    assertEquals(T0_MS / 1000 - 3600 + 2, live.latestSecond(), "the live ring follows the clock");
    assertEquals(4.0, live.read(1, k -> k.equals(v(Metric.RATE))).values()
        .get(v(Metric.RATE))[0]);
  }

  @Test
  void downsampledPointsSurviveARestartOfTheServer() throws Exception {
    HistoryLimits limits = HistoryLimits.defaults();
    HistoryStore store = new HistoryStore(dir, limits, FileOps.DEFAULT);
    MetricsSampler sampler = new MetricsSampler(registry, clock, new LiveRing(300, 100), store);
    ModelMetrics m = registry.forVersion("m", "1.0.0");
    sampler.tick();
    for (int s = 0; s < 25; s++) { // 25 seconds at 10 requests a second
      serve(m, 10, 2_000, 0);
      clock.advanceMillis(1_000);
      sampler.tick();
    }
    sampler.flush(); // a graceful stop writes the open buckets
    store.close();

    HistoryStore reopened = new HistoryStore(dir, limits, FileOps.DEFAULT);
    long t0 = T0_MS / 1000;
    HistoryReader.Result fine = reopened.reader().read(limits.fine(), t0, t0 + 60, 10,
        k -> k.equals(v(Metric.RATE)));
    HistoryReader.SeriesPoints rate = fine.series().get(0);
    assertEquals(List.of(t0, t0 + 10, t0 + 20), java.util.Arrays.stream(rate.seconds()).boxed()
        .toList());
    assertEquals(10.0, rate.values()[1], 1e-6, "a full bucket: 10 req/s");
    HistoryReader.Result coarse = reopened.reader().read(limits.coarse(), t0, t0 + 60, 60,
        k -> k.equals(v(Metric.P95_MS)));
    assertEquals(2.0, coarse.series().get(0).values()[0], 0.01);
  }
}
