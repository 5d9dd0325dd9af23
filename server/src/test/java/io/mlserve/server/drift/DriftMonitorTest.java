package io.mlserve.server.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.drift.FeatureNames;
import io.mlserve.drift.ProfileBuilder;
import io.mlserve.drift.ReferenceProfile;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.drift.DriftReport.FeatureDrift;
import io.mlserve.server.drift.DriftReport.VersionDrift;
import io.mlserve.server.experiment.FeedbackResult;
import io.mlserve.server.experiment.Metric;
import io.mlserve.server.tensor.Tensor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DriftMonitorTest {
  private static final String M = "curve_forecaster";
  private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now.get());
    }
  };
  private final Set<String> served = ConcurrentHashMap.newKeySet();
  private final Map<String, ReferenceProfile> stored = new ConcurrentHashMap<>();
  private final Map<String, DriftMonitor.Evaluated> evaluated = new ConcurrentHashMap<>();
  private final Random rnd = new Random(42);

  private DriftMonitor monitor(int referenceRows) {
    DriftConfig c = new DriftConfig(1, 1, 400, 2_000_000, Duration.ofSeconds(30), referenceRows,
        100, 0.2, 10, 100, 5);
    return new DriftMonitor(c, clock, (m, v) -> Optional.ofNullable(stored.get(v)),
        (m, v) -> Optional.ofNullable(evaluated.get(v)), (m, v) -> served.contains(v),
        m -> m.equals(M));
  }

  /** A stored reference of {@code rows} N(0, 1) curves whose forecast equals the curve. */
  private ReferenceProfile reference(String version, int rows, boolean outputs) {
    ProfileBuilder b = new ProfileBuilder(FeatureNames.inputs(DriftSamplerTest.CURVE),
        outputs ? FeatureNames.outputs(DriftSamplerTest.CURVE) : List.of(), 10, 10_000, 1);
    for (int r = 0; r < rows; r++) {
      double[] row = new double[24];
      for (int i = 0; i < 24; i++) {
        row[i] = rnd.nextGaussian();
      }
      b.addRow(row, outputs ? row.clone() : null);
    }
    return b.build(M, version, "dataset:train@abc", 1);
  }

  /** Serves {@code n} one-row requests of N(shift, 1) curves (forecast = curve). */
  private void serve(DriftMonitor d, String version, int n, double shift) {
    served.add(version);
    for (int k = 0; k < n; k++) {
      float[] v = new float[24];
      for (int i = 0; i < 24; i++) {
        v[i] = (float) (rnd.nextGaussian() + shift);
      }
      Tensor in = Tensor.ofFloats("curve", new long[] {1, 24}, v);
      d.offer(M, version, DriftSamplerTest.CURVE, List.of(in),
          new Tensor[] {in.renamed("forecast")});
    }
  }

  @Test
  void aShiftedStreamDriftsAndAnUnshiftedOneDoesNot() {
    stored.put("1.0.0", reference("1.0.0", 5000, true));
    stored.put("2.0.0", reference("2.0.0", 5000, true));
    DriftMonitor d = monitor(200);
    serve(d, "1.0.0", 400, 0);
    serve(d, "2.0.0", 400, 1.0);
    d.computeNow();

    VersionDrift same = d.report(M, "1.0.0").versions().get(0);
    assertTrue(same.compared(), same.status());
    assertEquals("dataset:train@abc", same.referenceSource());
    assertFalse(same.referenceLive());
    assertEquals(24, same.features().size());
    assertEquals(24, same.outputs().size());
    assertEquals(0.0, same.driftedShare(), same.features().toString());
    assertTrue(same.maxFeaturePsi() < 0.15, "psi " + same.maxFeaturePsi());
    assertTrue(same.maxFeatureKs() < 0.15, "ks " + same.maxFeatureKs());

    VersionDrift shifted = d.report(M, "2.0.0").versions().get(0);
    assertEquals(1.0, shifted.driftedShare());
    for (FeatureDrift f : shifted.features()) {
      assertTrue(f.psi() > 0.5 && f.ks() > 0.25 && f.drifted(), f.toString());
    }
    assertTrue(shifted.maxPredictionPsi() > 0.5);
    assertEquals(400, shifted.windowRows());
    assertEquals(now.get(), shifted.computedAtMillis());

    DriftSnapshot s = d.latest(M, "2.0.0").orElseThrow();
    assertEquals(1.0, s.driftedShare());
    assertEquals(shifted.maxFeaturePsi(), s.maxFeaturePsi());
    assertTrue(Double.isNaN(s.performanceDrift()));
  }

  @Test
  void withoutAStoredReferenceTheFirstLiveRowsAreTheReference() {
    DriftMonitor d = monitor(300);
    serve(d, "1.0.0", 250, 0);
    d.computeNow();
    VersionDrift v = d.report(M, null).versions().get(0);
    assertFalse(v.compared());
    assertTrue(v.status().contains("collecting the live reference: 250 of 300 rows"),
        v.status());
    assertTrue(d.latest(M, "1.0.0").isEmpty());

    serve(d, "1.0.0", 50, 0); // the reference is complete
    serve(d, "1.0.0", 400, 2.0); // then the inputs shift; the window holds the last 400
    now.addAndGet(30_000);
    d.computeNow();
    v = d.report(M, null).versions().get(0);
    assertTrue(v.compared(), v.status());
    assertTrue(v.referenceLive());
    assertEquals("live", v.referenceSource());
    assertEquals(300, v.referenceRows());
    assertEquals(1.0, v.driftedShare());
    assertTrue(d.latest(M, "1.0.0").orElseThrow().referenceLive());
  }

  @Test
  void aReferenceStoredAfterTheVersionStartedServingIsPickedUpOnTheNextPass() {
    Map<String, Long> stamps = new ConcurrentHashMap<>();
    DriftConfig c = new DriftConfig(1, 1, 400, 2_000_000, Duration.ofSeconds(30), 300,
        100, 0.2, 10, 100, 5);
    DriftMonitor d = new DriftMonitor(c, clock, new DriftMonitor.References() {
      @Override
      public Optional<ReferenceProfile> load(String m, String v) {
        return Optional.ofNullable(stored.get(v));
      }

      @Override
      public long stamp(String m, String v) {
        return stamps.getOrDefault(v, -1L);
      }
    }, (m, v) -> Optional.empty(), (m, v) -> served.contains(v), m -> true);
    serve(d, "1.0.0", 400, 3.0); // shifted from the start: the live reference is shifted too
    d.computeNow();
    serve(d, "1.0.0", 400, 3.0);
    now.addAndGet(30_000);
    d.computeNow();
    VersionDrift v = d.report(M, null).versions().get(0);
    assertTrue(v.referenceLive(), v.referenceSource());
    assertEquals(0.0, v.driftedShare(), "the live reference drifted along");

    stored.put("1.0.0", reference("1.0.0", 5000, true)); // mlctl reference set
    stamps.put("1.0.0", 1L);
    now.addAndGet(30_000);
    d.computeNow();
    v = d.report(M, null).versions().get(0);
    assertFalse(v.referenceLive(), v.referenceSource());
    assertEquals("dataset:train@abc", v.referenceSource());
    assertEquals(1.0, v.driftedShare(), "measured against the stored reference now");
  }

  @Test
  void aStoredReferenceWithoutOutputsTakesItsOutputsFromLiveRows() {
    stored.put("1.0.0", reference("1.0.0", 5000, false));
    DriftMonitor d = monitor(200);
    serve(d, "1.0.0", 300, 0);
    d.computeNow();
    VersionDrift v = d.report(M, "1.0.0").versions().get(0);
    assertTrue(v.compared(), v.status());
    assertFalse(v.referenceLive());
    assertTrue(v.outputsLive());
    assertEquals("dataset:train@abc (outputs: live)", v.referenceSource());
    assertEquals(24, v.outputs().size());
  }

  @Test
  void anUnreadableStoredReferenceFallsBackToLiveRowsAndSaysWhy() {
    DriftConfig c = new DriftConfig(1, 1, 400, 2_000_000, Duration.ofSeconds(30), 200, 100, 0.2,
        10, 100, 5);
    DriftMonitor d = new DriftMonitor(c, clock, (m, v) -> {
      throw new IllegalStateException("curve_forecaster/versions/1.0.0/reference.json is not a"
          + " valid reference profile: fractions do not sum to 1");
    }, (m, v) -> Optional.empty(), (m, v) -> served.contains(v), m -> true);
    d.report(M, null); // nothing yet
    serve(d, "1.0.0", 300, 0);
    d.computeNow();
    VersionDrift v = d.report(M, "1.0.0").versions().get(0);
    assertTrue(v.compared(), v.status());
    assertTrue(v.referenceLive());
    assertTrue(v.status().startsWith("the stored reference is not used (curve_forecaster/versions"
        + "/1.0.0/reference.json is not a valid reference profile: fractions do not sum to 1);"
        + " the first live rows are; compared 300 live rows"), v.status());
  }

  @Test
  void beforeTheFirstPassTheStatusSaysWhen() {
    DriftMonitor d = monitor(200);
    serve(d, "1.0.0", 1, 0);
    assertEquals("not compared yet: windows are compared every 30 s",
        d.report(M, "1.0.0").versions().get(0).status());
  }

  @Test
  void aSmallWindowIsNotComparedAndSaysWhy() {
    stored.put("1.0.0", reference("1.0.0", 2000, true));
    DriftMonitor d = monitor(200);
    serve(d, "1.0.0", 99, 0);
    d.computeNow();
    VersionDrift v = d.report(M, "1.0.0").versions().get(0);
    assertFalse(v.compared());
    assertEquals("the window has 99 rows; at least 100 are needed to compare", v.status());
    assertTrue(d.latest(M, "1.0.0").isEmpty());
  }

  @Test
  void performanceDriftComparesLiveErrorWithTheStoredEvaluation() {
    stored.put("1.0.0", reference("1.0.0", 2000, true));
    DriftMonitor d = monitor(200);
    serve(d, "1.0.0", 200, 0);
    for (int i = 0; i < 10; i++) {
      // RMSE per request 2.0 (mean squared error 4), MAE 1.5
      d.onFeedback(new FeedbackResult(M, "r" + i, "1.0.0",
          Map.of(Metric.RMSE, 2.0, Metric.MAE, 1.5), false, null, null, null));
    }
    d.computeNow();
    DriftReport.Performance p = d.report(M, "1.0.0").versions().get(0).performance();
    assertEquals("rmse", p.metric());
    assertEquals(2.0, p.live(), 1e-12);
    assertEquals(10, p.outcomes());
    assertTrue(Double.isNaN(p.evaluated()), "no evaluation yet");

    evaluated.put("1.0.0", new DriftMonitor.Evaluated("20260101-x",
        Map.of("rmse", 1.6, "mae", 1.2)));
    d.computeNow();
    p = d.report(M, "1.0.0").versions().get(0).performance();
    assertEquals(1.6, p.evaluated());
    assertEquals("20260101-x", p.evaluationId());
    assertEquals(0.25, p.drift(), 1e-12); // 2.0 / 1.6 - 1
    assertEquals(0.25, d.latest(M, "1.0.0").orElseThrow().performanceDrift(), 1e-12);
  }

  @Test
  void versionsThatStopServingAreDropped() {
    stored.put("1.0.0", reference("1.0.0", 2000, true));
    DriftMonitor d = monitor(200);
    serve(d, "1.0.0", 200, 0);
    assertTrue(d.bytes() > 0);
    d.computeNow();
    served.remove("1.0.0");
    d.computeNow();
    assertEquals(0, d.bytes());
    assertTrue(d.latest(M, "1.0.0").isEmpty());
    DriftReport r = d.report(M, null);
    assertTrue(r.versions().isEmpty());
    assertEquals("no version of the model has answered a request on this server yet", r.note());
  }

  @Test
  void unknownModelsAndVersionsAreNotFound() {
    DriftMonitor d = monitor(200);
    InferenceException e = assertThrows(InferenceException.class, () -> d.report("nope", null));
    assertEquals(InferenceException.Kind.NOT_FOUND, e.kind());
    assertEquals("model 'nope' is not served by this server", e.getMessage());
    serve(d, "1.0.0", 1, 0);
    e = assertThrows(InferenceException.class, () -> d.report(M, "9.9.9"));
    assertEquals("version 9.9.9 of model 'curve_forecaster' has answered no request on this"
        + " server (versions with drift: 1.0.0)", e.getMessage());
  }

  @Test
  void offIsOff() {
    DriftMonitor d = new DriftMonitor(DriftConfig.off(), clock, (m, v) -> Optional.empty(),
        (m, v) -> Optional.empty(), (m, v) -> true, m -> true);
    serve(d, "1.0.0", 10, 0);
    assertEquals(0, d.bytes());
    DriftReport r = d.report(M, null);
    assertTrue(r.note().startsWith("drift monitoring is off"));
    assertNull(d.latest(M, "1.0.0").orElse(null));
  }
}
