package io.mlserve.server.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mlserve.server.experiment.RunningStats.Moments;
import org.junit.jupiter.api.Test;

/**
 * The statistics against values computed independently with SciPy 1.10
 * ({@code /usr/bin/python3}: {@code scipy.stats.t.ppf}, {@code scipy.stats.ttest_ind(b, a,
 * equal_var=False)}, the Wilson formula with {@code scipy.stats.norm.ppf(0.975)}).
 */
class StatsTest {
  static final double[] A = {1.2, 0.8, 1.5, 1.1, 0.9, 1.3, 1.0, 1.4};
  static final double[] B = {0.7, 0.9, 0.6, 0.8, 1.0, 0.5, 0.75, 0.85, 0.65, 0.95};

  static Moments moments(double... xs) {
    RunningStats s = new RunningStats();
    for (double x : xs) {
      s.add(x);
    }
    return s.snapshot();
  }

  @Test
  void welfordGivesTheSampleMeanAndVariance() {
    Moments a = moments(A);
    assertEquals(8, a.n());
    assertEquals(1.15, a.mean(), 1e-12);
    assertEquals(0.06, a.variance(), 1e-12); // numpy var(ddof=1)
    assertEquals(0.0256666666666667, moments(B).variance(), 1e-12);
  }

  @Test
  void studentTIntervalOfTheMean() {
    // mean ± t.ppf(0.975, n-1) * s / sqrt(n)
    Stats.Interval a = Stats.meanInterval(moments(A));
    assertEquals(0.945217532822033, a.low(), 1e-9);
    assertEquals(1.35478246717797, a.high(), 1e-9);
    Stats.Interval b = Stats.meanInterval(moments(B));
    assertEquals(0.655393959259207, b.low(), 1e-9);
    assertEquals(0.884606040740793, b.high(), 1e-9);
  }

  @Test
  void welchTestOfTwoMeans() {
    // scipy.stats.ttest_ind(B, A, equal_var=False); df by Welch–Satterthwaite
    Stats.Welch w = Stats.welch(moments(A), moments(B));
    assertEquals(-3.78739631685504, w.t(), 1e-9);
    assertEquals(11.5580936901563, w.df(), 1e-9);
    assertEquals(0.00276073364959063, w.p(), 1e-9);
  }

  @Test
  void wilsonInterval() {
    Stats.Interval i = Stats.wilson(45, 60);
    assertEquals(0.627679299229522, i.low(), 1e-12);
    assertEquals(0.842234774699433, i.high(), 1e-12);
    Stats.Interval none = Stats.wilson(0, 10);
    assertEquals(0, none.low(), 1e-12);
    assertEquals(0.277532799862889, none.high(), 1e-12);
    assertNull(Stats.wilson(0, 0));
  }

  @Test
  void degenerateCases() {
    assertNull(Stats.meanInterval(moments(1.0)), "no interval from one value");
    assertNull(Stats.meanInterval(Moments.EMPTY));
    assertNull(Stats.welch(moments(1.0), moments(A)), "no test with one value on a side");
    Stats.Interval flat = Stats.meanInterval(moments(2, 2, 2));
    assertEquals(2, flat.low());
    assertEquals(2, flat.high());
    assertEquals(1.0, Stats.welch(moments(2, 2, 2), moments(2, 2)).p(), "same constant");
    assertEquals(0.0, Stats.welch(moments(2, 2, 2), moments(3, 3)).p(), "two constants");
    // one side constant: the test is the one-sample t-test of the other (df = n - 1)
    Stats.Welch w = Stats.welch(moments(1.15, 1.15), moments(A));
    assertEquals(7, w.df(), 1e-9);
    assertEquals(0, w.t(), 1e-9);
    assertEquals(1.0, w.p(), 1e-9);
  }
}
