package io.mlserve.server.experiment;

/**
 * Count, mean and sum of squared deviations of a stream of numbers, updated one value at a time
 * with Welford's method (no catastrophic cancellation, constant memory).
 *
 * <p>This class is thread-safe: updates and snapshots are synchronized (feedback is far rarer
 * than inference, so the lock is not contended).
 */
final class RunningStats {
  // @GuardedBy("this")
  private long n;
  // @GuardedBy("this")
  private double mean;
  // @GuardedBy("this")
  private double m2;

  synchronized void add(double x) {
    n++;
    double d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
  }

  synchronized Moments snapshot() {
    return new Moments(n, mean, m2);
  }

  /**
   * A snapshot: {@code n} values, their mean, and the sum of squared deviations from it.
   * Immutable.
   */
  record Moments(long n, double mean, double m2) {
    static final Moments EMPTY = new Moments(0, 0, 0);

    /** From a sample's size, mean and (n - 1) sample variance; for tests and conversions. */
    static Moments of(long n, double mean, double sampleVariance) {
      return new Moments(n, mean, n < 2 ? 0 : sampleVariance * (n - 1));
    }

    /** The sample variance (n - 1 denominator); NaN below two values. */
    double variance() {
      return n < 2 ? Double.NaN : Math.max(0, m2 / (n - 1));
    }
  }
}
