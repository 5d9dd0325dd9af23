package io.mlserve.server.drift;

import io.mlserve.server.experiment.Metric;
import java.util.Map;

/**
 * The recent outcome feedback of one version, per error measure: the last {@code capacity}
 * per-request values of squared error (RMSE), absolute error (MAE) and class error
 * (1 − accuracy), in rings. Memory is fixed at three rings.
 *
 * <p>This class is thread-safe: feedback is rare, so adding and reading are synchronized.
 */
final class LiveOutcomes {
  /** The measures compared, in order of preference: RMSE, MAE, accuracy. */
  static final Metric[] METRICS = {Metric.RMSE, Metric.MAE, Metric.ACCURACY};

  // @GuardedBy("this")
  private final double[][] rings;
  // @GuardedBy("this")
  private final long[] counts = new long[METRICS.length];

  LiveOutcomes(int capacity) {
    this.rings = new double[METRICS.length][capacity];
  }

  /**
   * Adds one request's outcomes: per metric the request's value as feedback reports it (RMSE:
   * the root of its mean squared error).
   */
  synchronized void add(Map<Metric, Double> perRequest) {
    for (int i = 0; i < METRICS.length; i++) {
      Double v = perRequest.get(METRICS[i]);
      if (v == null || !Double.isFinite(v)) {
        continue;
      }
      double stored = switch (METRICS[i]) {
        case RMSE -> v * v; // pooled as mean squared error, rooted when read
        case ACCURACY -> 1 - v;
        default -> v;
      };
      double[] ring = rings[i];
      ring[(int) (counts[i] % ring.length)] = stored;
      counts[i]++;
    }
  }

  /** Outcomes of metric {@code i} ({@link #METRICS}) held now. */
  synchronized long count(int i) {
    return Math.min(counts[i], rings[i].length);
  }

  /** The error over the outcomes held of metric {@code i}: RMSE rooted, accuracy as 1 − acc. */
  synchronized double error(int i) {
    long n = count(i);
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += rings[i][k];
    }
    double mean = sum / n;
    return METRICS[i] == Metric.RMSE ? Math.sqrt(mean) : mean;
  }
}
