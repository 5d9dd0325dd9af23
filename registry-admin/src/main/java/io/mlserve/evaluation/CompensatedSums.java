package io.mlserve.evaluation;

/**
 * A fixed number of running sums, each kept with Neumaier's compensation (an improved Kahan
 * summation), so that adding millions of values of different magnitudes loses no more than a
 * couple of ulps. Two instances merge by adding sums and compensations. Not thread-safe.
 */
final class CompensatedSums {
  private final double[] sum;
  private final double[] comp;

  CompensatedSums(int size) {
    sum = new double[size];
    comp = new double[size];
  }

  int size() {
    return sum.length;
  }

  /** Adds {@code x} to sum {@code i}. */
  void add(int i, double x) {
    double s = sum[i];
    double t = s + x;
    if (Math.abs(s) >= Math.abs(x)) {
      comp[i] += (s - t) + x;
    } else {
      comp[i] += (x - t) + s;
    }
    sum[i] = t;
  }

  /** The compensated value of sum {@code i}. */
  double value(int i) {
    return sum[i] + comp[i];
  }

  /** Adds {@code other}'s sums (same size) to these. */
  void merge(CompensatedSums other) {
    for (int i = 0; i < sum.length; i++) {
      add(i, other.sum[i]);
      add(i, other.comp[i]);
    }
  }
}
