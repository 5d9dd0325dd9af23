package io.mlserve.server.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.experiment.RunningStats.Moments;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The A/B report of one window, against values computed with SciPy 1.10 in
 * {@code /usr/bin/python3}: arm 1.2.0's per-request MAE is {@code 0.5 + 0.1*sin(i)} and arm
 * 1.3.0's {@code 0.42 + 0.1*cos(i)} for i in 0..39; p from
 * {@code scipy.stats.ttest_ind(b, a, equal_var=False).pvalue}.
 */
class AbWindowTest {
  private static final double MEAN_A = 0.502882745617788;
  private static final double MEAN_B = 0.423788573191495;
  private static final double P_40_40 = 4.27450189896765e-06;
  private static final double MEAN_B12 = 0.416558149596101;
  private static final double P_12_40 = 0.00218340024596455;

  private static Moments series(int n, boolean cos) {
    RunningStats s = new RunningStats();
    for (int i = 0; i < n; i++) {
      s.add(cos ? 0.42 + 0.1 * Math.cos(i) : 0.5 + 0.1 * Math.sin(i));
    }
    return s.snapshot();
  }

  private static AbWindow.ArmData arm(String version, Map<Metric, Moments> outcomes) {
    return new AbWindow.ArmData(version, 100, 0, null, outcomes);
  }

  private static AbWindow report(Map<String, Double> weights, AbWindow.ArmData... arms) {
    return AbWindow.of("s1", weights, 1000, null, 0, List.of(arms), 30);
  }

  @Test
  void significantDifferenceNamesTheBetterArm() {
    AbWindow w = report(Map.of("1.2.0", 90.0, "1.3.0", 10.0),
        arm("1.2.0", Map.of(Metric.MAE, series(40, false))),
        arm("1.3.0", Map.of(Metric.MAE, series(40, true))));
    assertEquals("1.2.0", w.baseline());
    AbWindow.Comparison c = w.comparisons().get(0);
    assertEquals("1.3.0", c.version());
    assertEquals(MEAN_B - MEAN_A, c.difference(), 1e-12);
    assertEquals(P_40_40, c.pValue(), 1e-10);
    assertTrue(c.significant());
    assertEquals("significant: 1.3.0 lower MAE by 0.0791 than 1.2.0 (p<0.001)", w.verdict());
    AbWindow.Outcome mae = w.arms().get(1).outcomes().get(0);
    assertEquals(Metric.MAE, mae.metric());
    assertEquals(40, mae.n());
    assertEquals(MEAN_B, mae.value(), 1e-12);
    assertTrue(mae.ciLow() < MEAN_B && MEAN_B < mae.ciHigh());
  }

  @Test
  void smallArmIsNotSignificantYetEvenWithASmallP() {
    AbWindow w = report(Map.of("1.2.0", 90.0, "1.3.0", 10.0),
        arm("1.2.0", Map.of(Metric.MAE, series(40, false))),
        arm("1.3.0", Map.of(Metric.MAE, series(12, true))));
    AbWindow.Comparison c = w.comparisons().get(0);
    assertEquals(MEAN_B12 - MEAN_A, c.difference(), 1e-12);
    assertEquals(P_12_40, c.pValue(), 1e-10);
    assertFalse(c.significant());
    assertEquals("not significant yet: 1.3.0 vs 1.2.0 MAE -0.0863 (p=0.002 but n=12 and 40,"
        + " needs 30 per arm)", w.verdict());
  }

  @Test
  void largePIsNotSignificant() {
    AbWindow w = report(Map.of("1.0.0", 50.0, "2.0.0", 50.0),
        arm("1.0.0", Map.of(Metric.REWARD, StatsTest.moments(1, 2, 3, 4))),
        arm("2.0.0", Map.of(Metric.REWARD, StatsTest.moments(2, 1, 4, 3, 2))));
    assertEquals("1.0.0", w.baseline(), "equal weights: the lower version is the baseline");
    assertTrue(w.verdict().startsWith("not significant yet: 2.0.0 vs 1.0.0 reward"),
        w.verdict());
    assertTrue(w.verdict().contains("(p=0."), w.verdict());
  }

  @Test
  void baselineIsTheHighestWeightThenTheLowerVersion() {
    AbWindow w = report(Map.of("1.10.0", 70.0, "1.9.0", 30.0));
    assertEquals("1.10.0", w.baseline());
    assertEquals(List.of("1.9.0", "1.10.0"), w.arms().stream().map(AbWindow.Arm::version)
        .toList(), "arms in version order, not text order");
    assertEquals("1.9.0", report(Map.of("1.10.0", 50.0, "1.9.0", 50.0)).baseline());
    assertNull(w.arms().get(0).errorRate(), "no requests: no error rate");
    assertNull(w.arms().get(0).p50Ms());
    assertEquals("not significant yet: no arm has feedback comparable with the baseline's",
        w.verdict());
  }

  @Test
  void tooFewOutcomesGiveNoIntervalAndNoPValue() {
    AbWindow w = report(Map.of("1.0.0", 50.0, "2.0.0", 50.0),
        arm("1.0.0", Map.of(Metric.MAE, StatsTest.moments(0.5))),
        arm("2.0.0", Map.of(Metric.MAE, StatsTest.moments(0.4, 0.6))));
    AbWindow.Outcome one = w.arms().get(0).outcomes().get(0);
    assertNull(one.ciLow());
    assertNull(one.ciHigh());
    assertNull(w.comparisons().get(0).pValue());
    assertEquals("not significant yet: 2.0.0 vs 1.0.0 MAE 0 (needs at least 2 outcomes per"
        + " arm, has 2 and 1)", w.verdict());
  }

  @Test
  void oneArmHasNothingToCompare() {
    AbWindow w = report(Map.of("1.0.0", 100.0),
        arm("1.0.0", Map.of(Metric.MAE, series(40, false))));
    assertTrue(w.comparisons().isEmpty());
    assertEquals("not significant yet: one arm only, nothing to compare", w.verdict());
  }

  @Test
  void rmseIsTheRootOfTheMeanSquaredErrorWithTheRootsOfItsInterval() {
    // per-request MSE values = StatsTest.A; sqrt of the t interval of their mean (SciPy)
    AbWindow.Outcome o = AbWindow.outcome(Metric.RMSE, StatsTest.moments(StatsTest.A));
    assertEquals(1.07238052947636, o.value(), 1e-12);
    assertEquals(0.972222985133572, o.ciLow(), 1e-9);
    assertEquals(1.16395123058398, o.ciHigh(), 1e-9);
  }

  @Test
  void accuracyHasAWilsonInterval() {
    RunningStats s = new RunningStats();
    for (int i = 0; i < 60; i++) {
      s.add(i < 45 ? 1 : 0);
    }
    AbWindow.Outcome o = AbWindow.outcome(Metric.ACCURACY, s.snapshot());
    assertEquals(0.75, o.value(), 1e-12);
    assertEquals(0.627679299229522, o.ciLow(), 1e-12);
    assertEquals(0.842234774699433, o.ciHigh(), 1e-12);
  }

  @Test
  void trafficErrorsAndLatency() {
    Histogram h = new Histogram(ArmStats.MAX_LATENCY_MICROS, 2);
    for (int i = 1; i <= 100; i++) {
      h.recordValue(i * 1000L); // 1..100 ms
    }
    AbWindow w = AbWindow.of(null, Map.of(), 0, 5L, 3,
        List.of(new AbWindow.ArmData("1.0.0", 104, 4, h, Map.of())), 30);
    AbWindow.Arm a = w.arms().get(0);
    assertEquals(104, a.requests());
    assertEquals(4.0 / 104, a.errorRate(), 1e-12);
    assertEquals(50, a.p50Ms(), 0.5); // HdrHistogram, 2 significant digits
    assertEquals(95, a.p95Ms(), 1);
    assertEquals(99, a.p99Ms(), 1);
    assertNull(a.weight());
    assertEquals(3, w.untrackedRequests());
    assertEquals(5L, w.endedAtMillis());
  }
}
