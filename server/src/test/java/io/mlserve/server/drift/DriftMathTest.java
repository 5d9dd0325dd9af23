package io.mlserve.server.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.apache.commons.math3.distribution.AbstractRealDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

class DriftMathTest {
  private static double[] uniformQuantiles() {
    double[] q = new double[101];
    for (int j = 0; j <= 100; j++) {
      q[j] = j / 100.0;
    }
    return q;
  }

  @Test
  void binsAreRightClosed() {
    double[] edges = {1, 2, 3};
    assertEquals(0, DriftMath.bin(edges, 0.5));
    assertEquals(0, DriftMath.bin(edges, 1.0)); // (-inf, 1]
    assertEquals(1, DriftMath.bin(edges, 1.0001));
    assertEquals(2, DriftMath.bin(edges, 3.0));
    assertEquals(3, DriftMath.bin(edges, 3.5));
  }

  @Test
  void psiOfHandCountedBins() {
    // Quartile bins (-inf,1] (1,2] (2,3] (3,inf), 25% each in the reference. Live values:
    // 0.5, 1.0 | 1.5 | 2.5, 2.6, 2.7, 3.0 | 3.5 -> shares 0.25, 0.125, 0.5, 0.125.
    // PSI = 0 + (0.125-0.25)ln(0.5) + (0.5-0.25)ln(2) + (0.125-0.25)ln(0.5) = 0.5 ln 2.
    double[] live = {0.5, 1.0, 1.5, 2.5, 2.6, 2.7, 3.0, 3.5};
    double psi = DriftMath.psi(new double[] {1, 2, 3}, new double[] {.25, .25, .25, .25}, live,
        live.length);
    assertEquals(0.34657359027997264, psi, 1e-12);
  }

  @Test
  void psiFloorsEmptyBinsAtEpsilon() {
    // Reference 50/50 around 0; every live value <= 0: shares 1 and 0 -> 0.0001.
    // PSI = (1-0.5)ln(1/0.5) + (0.0001-0.5)ln(0.0001/0.5) = 4.60431846666895
    double[] live = {-1, -2, -3, 0};
    assertEquals(4.60431846666895,
        DriftMath.psi(new double[] {0}, new double[] {.5, .5}, live, 4), 1e-12);
  }

  @Test
  void psiOfTheReferenceItselfIsZero() {
    assertEquals(0, DriftMath.psi(new double[] {.25, .25, .5}, new long[] {25, 25, 50}), 1e-15);
    assertTrue(Double.isNaN(DriftMath.psi(new double[] {.5, .5}, new long[] {0, 0})));
  }

  @Test
  void ksOfHandComputedSample() {
    // F_ref(x) = x on [0, 1]. Live 0.1, 0.2, 0.9: at 0.2, F_live = 2/3 and F_ref = 0.2.
    double[] live = {0.1, 0.2, 0.9};
    assertEquals(2.0 / 3 - 0.2, DriftMath.ks(uniformQuantiles(), live, 3), 1e-12);
  }

  @Test
  void ksOfAShiftedSampleCountsTheMassOutsideTheReference() {
    // Live values all above the reference's maximum: F_ref = 1 everywhere the live CDF rises,
    // and the gap just below the first live value is 1.
    double[] live = {2, 3, 4};
    assertEquals(1.0, DriftMath.ks(uniformQuantiles(), live, 3), 1e-12);
  }

  @Test
  void ksOfADiscreteFeatureSeesTheJump() {
    // A binary reference, half 0 and half 1: quantiles 0 (j <= 49) then 1 (j >= 50). F_ref
    // jumps to 0.49 at 0, rises linearly to 0.5 just below 1, jumps to 1 at 1. A live sample of
    // only 1s: F_live(1-) = 0 against F_ref(1-) = 0.5.
    double[] q = new double[101];
    for (int j = 50; j <= 100; j++) {
      q[j] = 1;
    }
    assertEquals(0.5, DriftMath.ks(q, new double[] {1, 1, 1, 1}, 4), 1e-12);
    // Half 0, half 1 live: the largest gap is at the ramp's top, 0.5 - 0.5 = 0, or at 0's
    // right: F_live(0) = 0.5 vs F_ref(0) = 0.49.
    assertEquals(0.01, DriftMath.ks(q, new double[] {0, 0, 1, 1}, 4), 1e-12);
  }

  /**
   * For a continuous reference (distinct quantiles) and live values without ties, commons-math3's
   * one-sample statistic against the same piecewise-linear CDF is exact: both must agree.
   */
  @Test
  void ksAgreesWithCommonsMathForAContinuousReference() {
    Random rnd = new Random(7);
    double[] ref = new double[5000];
    for (int i = 0; i < ref.length; i++) {
      ref[i] = rnd.nextGaussian();
    }
    Arrays.sort(ref);
    double[] q = new double[101];
    for (int j = 0; j <= 100; j++) {
      q[j] = ref[(int) Math.round(j / 100.0 * (ref.length - 1))];
    }
    AbstractRealDistribution piecewise = new AbstractRealDistribution(null) {
      @Override
      public double cumulativeProbability(double x) {
        return DriftMath.cdf(q, x, false);
      }

      @Override
      public double density(double x) {
        throw new UnsupportedOperationException();
      }

      @Override
      public double getNumericalMean() {
        return 0;
      }

      @Override
      public double getNumericalVariance() {
        return 1;
      }

      @Override
      public double getSupportLowerBound() {
        return q[0];
      }

      @Override
      public double getSupportUpperBound() {
        return q[100];
      }

      @Override
      public boolean isSupportLowerBoundInclusive() {
        return true;
      }

      @Override
      public boolean isSupportUpperBoundInclusive() {
        return true;
      }

      @Override
      public boolean isSupportConnected() {
        return true;
      }
    };
    for (double shift : new double[] {0, 0.3, 1.5}) {
      double[] live = new double[400];
      for (int i = 0; i < live.length; i++) {
        live[i] = rnd.nextGaussian() + shift;
      }
      double expected = new KolmogorovSmirnovTest().kolmogorovSmirnovStatistic(piecewise, live);
      Arrays.sort(live);
      assertEquals(expected, DriftMath.ks(q, live, live.length), 1e-12, "shift " + shift);
    }
  }
}
