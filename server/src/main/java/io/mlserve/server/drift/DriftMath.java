package io.mlserve.server.drift;

import java.util.Arrays;

/**
 * The drift statistics of one feature: the population stability index of a live sample against
 * the reference's bin fractions, and the Kolmogorov–Smirnov statistic against the reference's
 * quantiles. Stateless; thread-safe.
 *
 * <p><b>PSI</b> = Σ (a − e) · ln(a / e) over the reference's bins, where e is the reference's
 * share of a bin and a the live sample's; both are floored at {@value #EPSILON} so an empty bin
 * gives a large but finite term (Evidently's convention). Bin {@code i} holds
 * {@code (edges[i-1], edges[i]]}: the first everything up to {@code edges[0]}, the last
 * everything above the last edge.
 *
 * <p><b>KS</b> = sup |F_live(x) − F_ref(x)|, with F_ref piecewise linear through the 101
 * reference quantiles ({@code F_ref(q_j) = j / 100}, 0 below the first, 1 above the last) and
 * jumping where quantiles repeat (a discrete feature). Written here rather than taken from
 * commons-math3: its one-sample statistic assumes a continuous reference CDF and compares each
 * live value with F_ref at that value only, which for a discrete feature (quantiles 0, .., 0, 1,
 * .., 1) reads the jump as a difference of 1 where the true statistic is 0.5; its two-sample
 * statistic would treat the 101 quantiles as a 101-value sample, a step CDF off by up to 1/100.
 * The supremum is found exactly: both functions are monotone, F_live is a step function and
 * F_ref is linear between knots, so the largest gap is at a live value or a knot, from the left
 * or the right.
 */
public final class DriftMath {
  /** The smallest share a bin is taken to have. */
  public static final double EPSILON = 1e-4;

  private DriftMath() {}

  /** The bin of {@code v} among {@code edges} (0 .. edges.length). */
  public static int bin(double[] edges, double v) {
    int i = Arrays.binarySearch(edges, v);
    return i >= 0 ? i : -i - 1;
  }

  /**
   * PSI of live bin counts against the reference's bin fractions.
   *
   * @param expected the reference's share of each bin
   * @param counts the live values in each bin (same length)
   * @return the index; NaN when there are no live values
   */
  public static double psi(double[] expected, long[] counts) {
    if (expected.length != counts.length) {
      throw new IllegalArgumentException(expected.length + " reference bins but "
          + counts.length + " live counts");
    }
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total == 0) {
      return Double.NaN;
    }
    double psi = 0;
    for (int i = 0; i < counts.length; i++) {
      double e = Math.max(expected[i], EPSILON);
      double a = Math.max((double) counts[i] / total, EPSILON);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }

  /** PSI of live values (the first {@code n} of {@code values}) against a reference's bins. */
  public static double psi(double[] edges, double[] fractions, double[] values, int n) {
    long[] counts = new long[edges.length + 1];
    for (int i = 0; i < n; i++) {
      counts[bin(edges, values[i])]++;
    }
    return psi(fractions, counts);
  }

  /**
   * The KS statistic of live values against the reference quantiles.
   *
   * @param quantiles the reference's values at probabilities 0, 1/(k-1), .., 1 (ascending)
   * @param sorted the live values, ascending (the first {@code n})
   * @return the statistic in [0, 1]; NaN when there are no live values or no quantiles
   */
  public static double ks(double[] quantiles, double[] sorted, int n) {
    if (n == 0 || quantiles.length == 0) {
      return Double.NaN;
    }
    double d = 0;
    int i = 0;
    while (i < n) {
      double x = sorted[i];
      int j = i;
      while (j < n && sorted[j] == x) {
        j++;
      }
      // F_live(x-) = i/n, F_live(x) = j/n
      d = Math.max(d, gap(quantiles, x, (double) i / n, (double) j / n));
      i = j;
    }
    for (double q : quantiles) {
      int below = lowerBound(sorted, n, q);
      int atOrBelow = upperBound(sorted, n, q);
      d = Math.max(d, gap(quantiles, q, (double) below / n, (double) atOrBelow / n));
    }
    return d;
  }

  /** The larger of |F_live(x-) − F_ref(x-)| and |F_live(x) − F_ref(x)|. */
  private static double gap(double[] q, double x, double liveLeft, double liveRight) {
    return Math.max(Math.abs(liveLeft - cdf(q, x, true)), Math.abs(liveRight - cdf(q, x, false)));
  }

  /**
   * The reference CDF at {@code x}: right-continuous, or its limit from the left when
   * {@code left}.
   */
  static double cdf(double[] q, double x, boolean left) {
    int k = q.length;
    if (k == 1) {
      return left ? (x > q[0] ? 1 : 0) : (x >= q[0] ? 1 : 0);
    }
    // j: the last knot below x (left limit) or at/below x (right-continuous)
    int j = left ? lowerBound(q, k, x) - 1 : upperBound(q, k, x) - 1;
    if (j < 0) {
      return 0;
    }
    if (j >= k - 1) {
      return 1;
    }
    double step = 1.0 / (k - 1);
    return (j + (x - q[j]) / (q[j + 1] - q[j])) * step;
  }

  /** The first index of {@code a[0..n)} whose value is not below {@code x}. */
  private static int lowerBound(double[] a, int n, double x) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The first index of {@code a[0..n)} whose value is above {@code x}. */
  private static int upperBound(double[] a, int n, double x) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
