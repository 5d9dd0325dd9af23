package io.mlserve.approval;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Judges an evaluation's metrics against a policy's gates: a pure function of the gates, the
 * candidate's metrics and the baseline's (or none). Rules:
 * <ul>
 *   <li>A metric the candidate's evaluation lacks (or that is not a finite number) fails every
 *       bound of its gate, naming the metric.</li>
 *   <li>Absolute bounds compare the candidate's value alone: {@code max} is {@code ≤},
 *       {@code min} is {@code ≥}.</li>
 *   <li>Relative bounds compare with the baseline: {@code max_ratio r}: candidate ≤ r × baseline;
 *       {@code min_ratio r}: candidate ≥ r × baseline; {@code max_increase d}: candidate −
 *       baseline ≤ d; {@code max_decrease d}: baseline − candidate ≤ d.</li>
 *   <li>With no baseline at all (the model has no Production version: the first version),
 *       relative bounds are SKIPPED with a note and do not fail the verdict; absolute bounds
 *       still apply. A baseline that lacks the metric fails the bound, naming it.</li>
 * </ul>
 * Stateless; thread-safe.
 */
public final class Gates {
  private Gates() {}

  /**
   * The verdict of {@code gates} on {@code candidate}'s metrics.
   *
   * @param baselineOrNull the baseline's metrics on the same dataset, or null if there is no
   *     baseline
   */
  public static GateReport evaluate(List<Gate> gates, Map<String, Double> candidate,
      Map<String, Double> baselineOrNull) {
    List<GateResult> out = new ArrayList<>();
    for (Gate g : gates) {
      Double c = finite(candidate.get(g.metric()));
      Double b = baselineOrNull == null ? null : finite(baselineOrNull.get(g.metric()));
      for (Map.Entry<Bound, Double> e : g.bounds().entrySet()) {
        out.add(judge(g.metric(), e.getKey(), e.getValue(), c, b, baselineOrNull != null));
      }
    }
    boolean failed = out.stream().anyMatch(GateResult::failed);
    return new GateReport(failed ? Verdict.FAILED : Verdict.PASSED, out);
  }

  private static GateResult judge(String m, Bound bound, double limit, Double c, Double b,
      boolean hasBaseline) {
    String words = words(m, bound, limit);
    if (c == null) {
      return new GateResult(m, words, null, b, null, null, GateResult.Status.FAILED,
          words + ": the evaluation has no " + m);
    }
    if (!bound.relative()) {
      boolean ok = bound == Bound.MAX ? c <= limit : c >= limit;
      return new GateResult(m, words, c, null, null, null, status(ok),
          m + " " + num(c) + (ok ? " within " : " breaks ") + words);
    }
    if (!hasBaseline) {
      return new GateResult(m, words, c, null, null, null, GateResult.Status.SKIPPED,
          words + ": skipped, no Production baseline to compare with (first version)");
    }
    if (b == null) {
      return new GateResult(m, words, c, null, null, null, GateResult.Status.FAILED,
          words + ": the baseline's evaluation has no " + m);
    }
    double delta = c - b;
    Double ratio = b == 0 ? null : c / b;
    boolean ok = switch (bound) {
      case MAX_RATIO -> c <= limit * b;
      case MIN_RATIO -> c >= limit * b;
      case MAX_INCREASE -> delta <= limit;
      default -> -delta <= limit; // MAX_DECREASE
    };
    String numbers = m + " " + num(c) + " vs baseline " + num(b) + " ("
        + (bound == Bound.MAX_RATIO || bound == Bound.MIN_RATIO
            ? (ratio == null ? "baseline 0" : "ratio " + num(ratio))
            : "change " + (delta >= 0 ? "+" : "") + num(delta)) + ")";
    return new GateResult(m, words, c, b, ratio, delta, status(ok),
        numbers + (ok ? " within " : " breaks ") + words);
  }

  /** E.g. {@code rmse <= 1.0 x baseline}, {@code p95_ms <= 120}. */
  static String words(String m, Bound bound, double limit) {
    String l = num(limit);
    return switch (bound) {
      case MAX -> m + " <= " + l;
      case MIN -> m + " >= " + l;
      case MAX_RATIO -> m + " <= " + l + " x baseline";
      case MIN_RATIO -> m + " >= " + l + " x baseline";
      case MAX_INCREASE -> m + " <= baseline + " + l;
      case MAX_DECREASE -> m + " >= baseline - " + l;
    };
  }

  private static GateResult.Status status(boolean ok) {
    return ok ? GateResult.Status.PASSED : GateResult.Status.FAILED;
  }

  private static Double finite(Double v) {
    return v == null || !Double.isFinite(v) ? null : v;
  }

  /** A number in the fewest digits that read back as it (6 significant at most). */
  static String num(double v) {
    BigDecimal d = new BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros();
    return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
  }
}
