package io.mlserve.drift;

import java.util.Arrays;

/**
 * Quantiles, bin edges and bin fractions of a sorted sample, the figures a {@link FeatureProfile}
 * stores. Quantiles interpolate linearly between order statistics (numpy's default, Hyndman and
 * Fan's type 7): for {@code n} sorted values the quantile at {@code p} is
 * {@code x[h] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)])} with {@code h = (n - 1) p}.
 * Stateless; thread-safe.
 */
final class Quantiles {
  /** Quantiles a profile keeps: every percentile, 0 to 100. */
  static final int POINTS = 101;

  private Quantiles() {}

  /** The quantile of {@code sorted} (ascending, non-empty) at probability {@code p} in [0, 1]. */
  static double at(double[] sorted, int n, double p) {
    double h = (n - 1) * p;
    int lo = (int) Math.floor(h);
    if (lo >= n - 1) {
      return sorted[n - 1];
    }
    double frac = h - lo;
    double a = sorted[lo];
    double b = sorted[lo + 1];
    return frac == 0 ? a : a + frac * (b - a);
  }

  /** The {@link #POINTS} quantiles at 0, 0.01, .., 1; empty for no values. */
  static double[] percentiles(double[] sorted, int n) {
    if (n == 0) {
      return new double[0];
    }
    double[] q = new double[POINTS];
    for (int i = 0; i < POINTS; i++) {
      q[i] = at(sorted, n, i / (double) (POINTS - 1));
    }
    return monotone(q);
  }

  /**
   * The inner edges of {@code bins} equal-frequency bins: the quantiles at {@code 1/bins} ..
   * {@code (bins-1)/bins}, with repeats dropped so they ascend strictly (a feature with many
   * equal values gets fewer bins). Empty for no values.
   */
  static double[] edges(double[] sorted, int n, int bins) {
    if (n == 0) {
      return new double[0];
    }
    double[] e = new double[bins - 1];
    int k = 0;
    for (int i = 1; i < bins; i++) {
      double v = at(sorted, n, i / (double) bins);
      if (k == 0 || v > e[k - 1]) {
        e[k++] = v;
      }
    }
    return Arrays.copyOf(e, k);
  }

  /**
   * The share of {@code sorted}'s values in each bin of {@code edges}: bin {@code i} holds
   * {@code (edges[i-1], edges[i]]}, the first everything up to {@code edges[0]}, the last
   * everything above the last edge. {@code [1]} for no values, so fractions always sum to 1.
   */
  static double[] fractions(double[] sorted, int n, double[] edges) {
    double[] f = new double[edges.length + 1];
    if (n == 0) {
      f[0] = 1;
      return f;
    }
    int from = 0;
    for (int b = 0; b < edges.length; b++) {
      int to = upperBound(sorted, from, n, edges[b]);
      f[b] = (to - from) / (double) n;
      from = to;
    }
    f[edges.length] = (n - from) / (double) n;
    return f;
  }

  /** The first index in {@code [from, n)} whose value is above {@code v}, else {@code n}. */
  private static int upperBound(double[] sorted, int from, int n, double v) {
    int lo = from;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Interpolation can round one quantile a hair below the one before; this evens that out. */
  private static double[] monotone(double[] q) {
    for (int i = 1; i < q.length; i++) {
      if (q[i] < q[i - 1]) {
        q[i] = q[i - 1];
      }
    }
    return q;
  }
}
