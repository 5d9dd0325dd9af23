package io.mlserve.server.alerts;

/**
 * PromQL's {@code histogram_quantile} over a classic histogram: the φ-quantile of cumulative
 * bucket counts, interpolated linearly within the bucket the rank falls in (the first bucket
 * starts at 0); a rank in the {@code +Inf} bucket answers the largest finite bound. Computed on
 * the counts' increase over a window it gives what {@code histogram_quantile(φ,
 * rate(..._bucket[w]))} gives, since rate divides every bucket by the same duration. Stateless.
 */
final class HistogramQuantile {
  private HistogramQuantile() {}

  /**
   * @param q the quantile, 0..1
   * @param bounds the finite upper bounds, ascending
   * @param cumulative the cumulative count of each finite bucket, then the total (+Inf), so one
   *     longer than {@code bounds}; counts must not decrease
   * @return the quantile, NaN when there are no observations
   */
  static double quantile(double q, double[] bounds, long[] cumulative) {
    if (cumulative.length != bounds.length + 1) {
      throw new IllegalArgumentException("expected " + (bounds.length + 1) + " counts, got "
          + cumulative.length);
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    long observations = cumulative[bounds.length];
    if (observations == 0 || bounds.length == 0) {
      return Double.NaN;
    }
    double rank = q * observations;
    int b = 0;
    while (b < bounds.length && cumulative[b] < rank) {
      b++;
    }
    if (b == bounds.length) {
      return bounds[bounds.length - 1];
    }
    if (b == 0 && bounds[0] <= 0) {
      return bounds[0];
    }
    double start = b == 0 ? 0 : bounds[b - 1];
    double end = bounds[b];
    double count = cumulative[b];
    if (b > 0) {
      count -= cumulative[b - 1];
      rank -= cumulative[b - 1];
    }
    return start + (end - start) * (rank / count);
  }
}
