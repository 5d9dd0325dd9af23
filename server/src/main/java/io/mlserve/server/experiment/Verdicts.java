package io.mlserve.server.experiment;

import io.mlserve.server.experiment.RunningStats.Moments;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The A/B report's comparisons and the words of its verdicts. A difference is called
 * significant only when Welch's p &lt; 0.05 and both arms have at least the minimum number of
 * outcomes; until then the verdict says "not significant yet" and why. Stateless.
 */
final class Verdicts {
  private Verdicts() {}

  /** Arm {@code version} (outcomes {@code b}) against {@code baseline} (outcomes {@code a}). */
  static AbWindow.Comparison compare(String version, String baseline, Metric metric, Moments a,
      Moments b, int minOutcomes) {
    double diff = value(metric, b) - value(metric, a);
    Stats.Welch w = Stats.welch(a, b);
    Double p = w == null ? null : w.p();
    boolean enough = a.n() >= minOutcomes && b.n() >= minOutcomes;
    boolean significant = p != null && p < AbWindow.ALPHA && enough;
    String text;
    if (significant) {
      text = "significant: " + version + " " + (diff < 0 ? "lower " : "higher ") + metric.label()
          + " by " + number(Math.abs(diff)) + " than " + baseline + " (" + pText(p) + ")";
    } else {
      String what = version + " vs " + baseline + " " + metric.label() + " "
          + signed(diff);
      String why;
      if (p == null) {
        why = "needs at least 2 outcomes per arm, has " + b.n() + " and " + a.n();
      } else if (p >= AbWindow.ALPHA) {
        why = pText(p);
      } else {
        why = pText(p) + " but n=" + b.n() + " and " + a.n() + ", needs " + minOutcomes
            + " per arm";
      }
      text = "not significant yet: " + what + " (" + why + ")";
    }
    return new AbWindow.Comparison(version, baseline, metric, b.n(), a.n(), diff, p,
        significant, text);
  }

  /** The window's one-line verdict from its primary comparisons (all but RMSE). */
  static String summary(int arms, List<AbWindow.Comparison> comparisons) {
    if (arms < 2) {
      return "not significant yet: " + (arms == 0 ? "no arms" : "one arm only") + ", nothing"
          + " to compare";
    }
    List<AbWindow.Comparison> primary = comparisons.stream()
        .filter(c -> c.metric() != Metric.RMSE).toList();
    if (primary.isEmpty()) {
      return "not significant yet: no arm has feedback comparable with the baseline's";
    }
    return primary.stream().map(AbWindow.Comparison::verdict).collect(Collectors.joining("; "));
  }

  /** The metric's value of outcomes {@code m}: the mean, or for RMSE the root of the mean. */
  static double value(Metric metric, Moments m) {
    return metric == Metric.RMSE ? Math.sqrt(m.mean()) : m.mean();
  }

  static String pText(double p) {
    return p < 0.001 ? "p<0.001" : "p=" + String.format(Locale.ROOT, "%.3f", p);
  }

  /** Three significant digits, no exponent, no trailing zeros. */
  static String number(double x) {
    if (x == 0 || !Double.isFinite(x)) {
      return x == 0 ? "0" : Double.toString(x);
    }
    return new BigDecimal(x).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }

  private static String signed(double x) {
    return (x > 0 ? "+" : "") + number(x);
  }
}
