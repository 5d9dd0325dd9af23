package io.mlserve.server.experiment;

import io.mlserve.server.experiment.RunningStats.Moments;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The A/B report's statistics: Student t confidence intervals of a mean, Wilson score intervals
 * of a proportion, and Welch's unequal-variances t-test. The t distribution is Apache Commons
 * Math's. Stateless; thread-safe.
 */
final class Stats {
  /** The confidence of every interval. */
  static final double CONFIDENCE = 0.95;
  /** The normal quantile of 0.975. */
  static final double Z_975 = 1.959963984540054;

  private Stats() {}

  /** A closed interval. */
  record Interval(double low, double high) {}

  /** Welch's test of two means: the statistic, its degrees of freedom, the two-sided p-value. */
  record Welch(double t, double df, double p) {}

  /**
   * The 95% Student t interval of the mean: mean ± t(0.975, n - 1) · s / √n. Null below two
   * values; a zero-width interval when every value was the same.
   */
  static Interval meanInterval(Moments m) {
    if (m.n() < 2) {
      return null;
    }
    double se = Math.sqrt(m.variance() / m.n());
    if (se == 0) {
      return new Interval(m.mean(), m.mean());
    }
    double half = tQuantile975(m.n() - 1) * se;
    return new Interval(m.mean() - half, m.mean() + half);
  }

  /**
   * The 95% Wilson score interval of {@code successes} out of {@code n}; null when n is 0.
   * Unlike the normal approximation it stays inside [0, 1] and is sensible at 0 or n successes.
   */
  static Interval wilson(long successes, long n) {
    if (n <= 0) {
      return null;
    }
    double p = (double) successes / n;
    double z2 = Z_975 * Z_975;
    double denom = 1 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / denom;
    double half = Z_975 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
    return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
  }

  /**
   * Welch's t-test of the difference of means {@code b - a}, two-sided. Null when either side
   * has fewer than two values. When both sides have zero variance the p-value is 1 for equal
   * means and 0 otherwise (the limit of the test), with t 0 or ±∞ and df n_a + n_b - 2.
   */
  static Welch welch(Moments a, Moments b) {
    if (a.n() < 2 || b.n() < 2) {
      return null;
    }
    double va = a.variance() / a.n();
    double vb = b.variance() / b.n();
    double diff = b.mean() - a.mean();
    double se2 = va + vb;
    if (se2 == 0) {
      double df = a.n() + b.n() - 2;
      return diff == 0 ? new Welch(0, df, 1)
          : new Welch(Math.copySign(Double.POSITIVE_INFINITY, diff), df, 0);
    }
    double t = diff / Math.sqrt(se2);
    double df = se2 * se2 / (va * va / (a.n() - 1) + vb * vb / (b.n() - 1));
    double p = 2 * tDistribution(df).cumulativeProbability(-Math.abs(t));
    return new Welch(t, df, Math.min(1, p));
  }

  static double tQuantile975(double df) {
    return tDistribution(df).inverseCumulativeProbability(0.975);
  }

  private static TDistribution tDistribution(double df) {
    // No random generator: this distribution is only evaluated, never sampled.
    return new TDistribution(null, df, TDistribution.DEFAULT_INVERSE_ABSOLUTE_ACCURACY);
  }
}
