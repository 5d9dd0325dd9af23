package io.mlserve.server.shadow;

import io.mlserve.server.tensor.BytesElements;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.tensor.Tensors;
import java.util.Arrays;
import java.util.List;

/**
 * One request's answers compared, output by output in signature order (the i-th output of the
 * shadow against the i-th of the primary, whatever their names). For each output: the sum and
 * maximum of {@code |s - p|} over its elements, the sum of {@code |s - p| / |p|} over the
 * elements where {@code p != 0} (elsewhere the relative difference is undefined and left out),
 * and whether every element passes numpy's {@code isclose(s, p, rtol, atol)}:
 * {@code |s - p| <= atol + rtol * |p|}, equal infinities close, NaN close to nothing. An output
 * whose type or shape differs, or that the shadow lacks, is <em>mismatched</em>: no element
 * figures are taken from it and the request does not agree. Element values are read as doubles
 * whatever the type; BYTES (string) elements differ by 0 when equal, else by 1.
 *
 * <p>Immutable once built; built by {@link #of} on one thread.
 */
final class Comparison {
  final int outputs;
  final long[] elements;
  final double[] absSum;
  final double[] absMax;
  final double[] relSum;
  final long[] relElements;
  final boolean[] mismatched;
  final boolean agreed;
  /** The largest {@code |s - p|} over all outputs; +Infinity when any output mismatched or a
   *  difference is NaN (so such requests rank first among the worst). */
  final double maxAbsDiff;

  private Comparison(int n, Tensor[] primary, Tensor[] shadow, double atol, double rtol) {
    outputs = n;
    elements = new long[n];
    absSum = new double[n];
    absMax = new double[n];
    relSum = new double[n];
    relElements = new long[n];
    mismatched = new boolean[n];
    boolean allClose = true;
    double worst = 0;
    for (int o = 0; o < n; o++) {
      Tensor p = primary[o];
      Tensor s = shadow != null && o < shadow.length ? shadow[o] : null;
      if (s == null || s.dataType() != p.dataType() || !Arrays.equals(s.shape(), p.shape())) {
        mismatched[o] = true;
        allClose = false;
        worst = Double.POSITIVE_INFINITY;
        continue;
      }
      int count = (int) Tensor.elementCount(p.shape());
      elements[o] = count;
      if (!p.dataType().isFixedSize()) {
        allClose &= compareStrings(o, p, s, atol);
        worst = Math.max(worst, absMax[o]);
        continue;
      }
      for (int i = 0; i < count; i++) {
        double a = Tensors.elementAsDouble(s, i);
        double b = Tensors.elementAsDouble(p, i);
        double diff = a == b ? 0 : Math.abs(a - b); // equal infinities differ by 0, not NaN
        if (Double.isNaN(diff)) {
          allClose = false;
          worst = Double.POSITIVE_INFINITY;
          continue;
        }
        absSum[o] += diff;
        absMax[o] = Math.max(absMax[o], diff);
        if (b != 0 && !Double.isInfinite(b)) {
          relSum[o] += diff / Math.abs(b);
          relElements[o]++;
        }
        // diff 0 first: with rtol 0 and an infinite p the bound is 0 * Infinity = NaN
        if (diff != 0 && !(diff <= atol + rtol * Math.abs(b))) {
          allClose = false;
        }
      }
      worst = Math.max(worst, absMax[o]);
    }
    agreed = allClose;
    maxAbsDiff = worst;
  }

  /**
   * BYTES (strings) are not numbers: an element differs by 0 when its bytes are equal, else by
   * 1 (no relative difference).
   *
   * @return whether every element is close
   */
  private boolean compareStrings(int o, Tensor p, Tensor s, double atol) {
    List<byte[]> ps = BytesElements.decode(p);
    List<byte[]> ss = BytesElements.decode(s);
    boolean close = true;
    for (int i = 0; i < ps.size(); i++) {
      double diff = Arrays.equals(ss.get(i), ps.get(i)) ? 0 : 1;
      absSum[o] += diff;
      absMax[o] = Math.max(absMax[o], diff);
      close &= diff == 0 || diff <= atol;
    }
    return close;
  }

  /**
   * Compares the shadow's outputs with the primary's.
   *
   * @param maxOutputs outputs beyond this many are not compared (bounds the per-model state)
   */
  static Comparison of(Tensor[] primary, Tensor[] shadow, double atol, double rtol,
      int maxOutputs) {
    return new Comparison(Math.min(primary.length, maxOutputs), primary, shadow, atol, rtol);
  }
}
