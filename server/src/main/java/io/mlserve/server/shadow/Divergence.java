package io.mlserve.server.shadow;

import java.util.ArrayList;
import java.util.List;

/**
 * The divergence of a shadow from its primary over the shadow's window (since it started): per
 * output tensor, the mean and maximum absolute difference over every element compared, the mean
 * relative difference (over the elements whose primary value is not 0), the requests whose
 * output was mismatched (type or shape); and the fraction of requests whose outputs all agree
 * within {@code atol + rtol * |primary|}. State is a few numbers per output, at most
 * {@link #MAX_OUTPUTS} outputs, whatever the traffic.
 *
 * <p>This class is thread-safe: {@link #add} folds an already computed {@link Comparison} in
 * under a short lock.
 */
final class Divergence {
  /** Outputs compared per model at most; a signature with more compares its first ones. */
  static final int MAX_OUTPUTS = 64;

  // all @GuardedBy("this")
  private final List<String> names = new ArrayList<>();
  private final long[] requests = new long[MAX_OUTPUTS];
  private final long[] elements = new long[MAX_OUTPUTS];
  private final double[] absSum = new double[MAX_OUTPUTS];
  private final double[] absMax = new double[MAX_OUTPUTS];
  private final double[] relSum = new double[MAX_OUTPUTS];
  private final long[] relElements = new long[MAX_OUTPUTS];
  private final long[] mismatched = new long[MAX_OUTPUTS];
  private long compared;
  private long agreed;

  /**
   * Folds one request in.
   *
   * @param outputNames the primary's output names, for the report (the first request's kept)
   */
  synchronized void add(Comparison c, String[] outputNames) {
    compared++;
    if (c.agreed) {
      agreed++;
    }
    for (int o = 0; o < c.outputs; o++) {
      if (o == names.size()) {
        names.add(outputNames[o]);
      }
      requests[o]++;
      if (c.mismatched[o]) {
        mismatched[o]++;
        continue;
      }
      elements[o] += c.elements[o];
      absSum[o] += c.absSum[o];
      absMax[o] = Math.max(absMax[o], c.absMax[o]);
      relSum[o] += c.relSum[o];
      relElements[o] += c.relElements[o];
    }
  }

  /** Requests compared so far and, of those, the ones whose outputs all agreed: {compared,
   *  agreed}, read together. */
  synchronized long[] comparedAndAgreed() {
    return new long[] {compared, agreed};
  }

  /** A copy of the per-output figures. */
  synchronized List<ShadowReport.Output> outputs() {
    List<ShadowReport.Output> out = new ArrayList<>(names.size());
    for (int o = 0; o < names.size(); o++) {
      out.add(new ShadowReport.Output(names.get(o), requests[o], mismatched[o], elements[o],
          elements[o] == 0 ? null : absSum[o] / elements[o],
          elements[o] == 0 ? null : absMax[o],
          relElements[o] == 0 ? null : relSum[o] / relElements[o]));
    }
    return out;
  }
}
