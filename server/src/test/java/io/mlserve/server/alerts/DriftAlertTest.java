package io.mlserve.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.drift.FeatureNames;
import io.mlserve.drift.ProfileBuilder;
import io.mlserve.drift.ReferenceProfile;
import io.mlserve.server.drift.DriftAlertSignals;
import io.mlserve.server.drift.DriftConfig;
import io.mlserve.server.drift.DriftMonitor;
import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.ManualClock;
import io.mlserve.store.Event;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's drift rule end to end over the real parts: a real DriftMonitor compares sampled
 * streams with stored references, MetricsWindow reads its figures, and the built-in ModelDrift
 * rule (drift_share > 0.3, for 5m) fires for the version whose inputs are shifted and not for
 * the one whose inputs match its reference; fake clock, no sleeps.
 */
class DriftAlertTest {
  private static final String M = "curve_forecaster";
  private static final Signature CURVE = new Signature(
      List.of(new TensorSpec("curve", "FP32", List.of(-1L, 24L))),
      List.of(new TensorSpec("forecast", "FP32", List.of(-1L, 24L))));

  @TempDir Path tmp;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
  private final Random rnd = new Random(7);

  private ReferenceProfile reference(String version) {
    ProfileBuilder b = new ProfileBuilder(FeatureNames.inputs(CURVE), FeatureNames.outputs(CURVE),
        10, 10_000, 1);
    for (int r = 0; r < 5000; r++) {
      double[] row = new double[24];
      for (int i = 0; i < 24; i++) {
        row[i] = rnd.nextGaussian();
      }
      b.addRow(row, row.clone());
    }
    return b.build(M, version, "dataset:train@abc", 1);
  }

  /** {@code n} one-row requests of N(shift, 1) curves, forecast = curve. */
  private void serve(DriftMonitor d, String version, int n, double shift) {
    for (int k = 0; k < n; k++) {
      float[] v = new float[24];
      for (int i = 0; i < 24; i++) {
        v[i] = (float) (rnd.nextGaussian() + shift);
      }
      Tensor in = Tensor.ofFloats("curve", new long[] {1, 24}, v);
      d.offer(M, version, CURVE, List.of(in), new Tensor[] {in.renamed("forecast")});
    }
  }

  @Test
  void aShiftedStreamFiresTheBuiltInDriftRuleAndAMatchingOneDoesNot() {
    Map<String, ReferenceProfile> stored = Map.of("1.0.0", reference("1.0.0"),
        "2.0.0", reference("2.0.0"));
    DriftMonitor drift = new DriftMonitor(new DriftConfig(1, 1, 400, 2_000_000,
        Duration.ofSeconds(30), 200, 100, 0.2, 10, 100, 5), clock,
        (m, v) -> Optional.ofNullable(stored.get(v)), (m, v) -> Optional.empty(),
        (m, v) -> true, m -> m.equals(M));
    Scope steady = new Scope(M, "1.0.0");
    Scope shifted = new Scope(M, "2.0.0");
    Map<Scope, ModelMetrics> served = Map.of(steady, new ModelMetrics(M, "1.0.0"),
        shifted, new ModelMetrics(M, "2.0.0"));
    ResourceUsage resources = new ResourceUsage(new CgroupLimits(tmp, tmp.resolve("self")),
        () -> 0, () -> 0, 1L << 30, 1, GpuProbe.NONE, System::nanoTime);
    Duration interval = Duration.ofSeconds(15);
    AlertService alerts = new AlertService(AlertConfig.defaults(), interval, () -> served,
        new MetricsWindow(new DriftAlertSignals(drift), resources, clock, interval,
            Duration.ofMinutes(5)),
        new AlertNotifier(List.of(), () -> "", AlertNotifier.Sleeper.SYSTEM, 1), clock);
    List<Event> events = new ArrayList<>();
    alerts.attach(AlertService.Leadership.ALWAYS, events::add);

    serve(drift, "1.0.0", 400, 0);
    serve(drift, "2.0.0", 400, 1.0);
    drift.computeNow();
    assertTrue(drift.latest(M, "2.0.0").orElseThrow().driftedShare() > 0.3);
    assertEquals(0.0, drift.latest(M, "1.0.0").orElseThrow().driftedShare());

    List<AlertTransition> first = alerts.tick();
    assertEquals(1, first.size(), first.toString());
    assertEquals("ModelDrift", first.get(0).rule());
    assertEquals(shifted, first.get(0).scope());
    assertEquals(AlertState.PENDING, first.get(0).to(), "for: 5m");
    for (int i = 0; i < 20; i++) { // 5 minutes of ticks, the drift still there
      clock.advance(interval);
      serve(drift, "1.0.0", 20, 0);
      serve(drift, "2.0.0", 20, 1.0);
      drift.computeNow();
      alerts.tick();
    }
    assertEquals(1, events.size(), events.toString());
    Event fired = events.get(0);
    assertEquals(AlertEvents.FIRING, fired.eventType());
    assertEquals("2.0.0", fired.version());
    assertEquals("ModelDrift", fired.field("alertname").asText());
    assertTrue(fired.field("value").asDouble() > 0.3, fired.toJson());
    assertEquals(0.3, fired.field("threshold").asDouble(), 0);
    assertTrue(alerts.report(M).active().stream().noneMatch(t -> t.scope().equals(steady)),
        "the stream that matches its reference raises nothing");
  }
}
