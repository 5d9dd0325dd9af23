package io.mlserve.drift;

import io.mlserve.evaluation.Reservoir;
import java.util.Arrays;

/**
 * What a {@link ProfileBuilder} keeps of one feature: exact running count, missing count, mean
 * and variance (Welford's algorithm), minimum and maximum over every value, and a uniform sample
 * of at most {@code capacity} finite values (a seeded {@link Reservoir}, so the same rows give the
 * same profile) from which quantiles and bins are computed. Memory is fixed at construction. Not
 * thread-safe.
 */
final class FeatureSketch implements Reservoir.Sink {
  private final double[] sample;
  private final Reservoir reservoir;
  private long count;
  private long missing;
  private double mean;
  private double m2;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private double pending;

  FeatureSketch(int capacity, long seed) {
    this.sample = new double[capacity];
    this.reservoir = new Reservoir(capacity, seed);
  }

  /** Adds one row's value; NaN and infinities count as missing. */
  void add(double v) {
    if (!Double.isFinite(v)) {
      missing++;
      return;
    }
    count++;
    double d = v - mean;
    mean += d / count;
    m2 += d * (v - mean);
    if (v < min) {
      min = v;
    }
    if (v > max) {
      max = v;
    }
    pending = v;
    reservoir.offer(1, this);
  }

  @Override
  public void take(int offset, int slot) {
    sample[slot] = pending;
  }

  /** Values held in the sample (at most the capacity). */
  int sampled() {
    return reservoir.size();
  }

  /**
   * The feature's profile. A feature with no finite value has zero statistics, no edges, one
   * bin holding everything and no quantiles.
   */
  FeatureProfile profile(String name, int bins) {
    int n = reservoir.size();
    double[] sorted = Arrays.copyOf(sample, n);
    Arrays.sort(sorted);
    double[] edges = Quantiles.edges(sorted, n, bins);
    boolean any = count > 0;
    double std = count > 1 ? Math.sqrt(Math.max(0, m2 / count)) : 0;
    return new FeatureProfile(name, count, missing, any ? mean : 0, std, any ? min : 0,
        any ? max : 0, edges, Quantiles.fractions(sorted, n, edges),
        Quantiles.percentiles(sorted, n));
  }
}
