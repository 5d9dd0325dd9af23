package io.mlserve.server.experiment;

import io.mlserve.server.experiment.RunningStats.Moments;
import io.mlserve.store.SemVer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * The A/B report of one window (one split): per arm the traffic, errors and latency, the
 * outcomes from feedback with 95% intervals, and each arm compared with the baseline arm by
 * Welch's t-test. A pure function of the accumulators ({@link #of}); immutable.
 *
 * <p>The baseline is the arm with the highest weight in the split (ties: the lower version).
 * A comparison is significant only when p &lt; 0.05 and both arms have at least
 * {@code minOutcomes} outcomes of that metric; otherwise it says "not significant yet".
 *
 * @param splitId the split's id as the registry gave it; null when not known
 * @param weights version → weight of the split; empty when not known
 * @param startedAtMillis when the window began (epoch ms)
 * @param endedAtMillis when the split was replaced (epoch ms); null while it is in force
 * @param baseline the baseline arm's version; null when there are no arms
 * @param minOutcomes outcomes per arm a significant comparison needs
 * @param arms the arms, in version order
 * @param comparisons each non-baseline arm against the baseline, per metric both have
 * @param verdict one line: the verdicts of the primary comparisons (MAE, accuracy, reward)
 * @param untrackedRequests requests to versions beyond the arm bound, not in any arm
 */
public record AbWindow(String splitId, Map<String, Double> weights, long startedAtMillis,
    Long endedAtMillis, String baseline, int minOutcomes, List<Arm> arms,
    List<Comparison> comparisons, String verdict, long untrackedRequests) {

  /**
   * One arm. Latencies are of answered requests, in milliseconds; null with no answers.
   *
   * @param weight the arm's weight in the split; null when the split does not name it
   * @param errorRate errors / requests; null with no requests
   */
  public record Arm(String version, Double weight, long requests, long errors,
      Double errorRate, Double p50Ms, Double p95Ms, Double p99Ms, List<Outcome> outcomes) {}

  /**
   * An arm's outcomes of one metric, with a 95% interval.
   *
   * <p>MAE and reward: the mean and its Student t interval (null below 2 outcomes). Accuracy:
   * the share of correct rows and its Wilson interval. RMSE: the root of the mean per-request
   * squared error, and as interval the roots of the t interval of that mean (the interval of
   * the RMSE the arm would show over many requests; its lower end is clamped at 0).
   *
   * @param n outcomes (requests; rows for accuracy)
   */
  public record Outcome(Metric metric, long n, double value, Double ciLow, Double ciHigh) {}

  /**
   * An arm against the baseline on one metric.
   *
   * @param difference the arm's value minus the baseline's
   * @param pValue Welch's two-sided p-value (for RMSE: of the per-request squared errors; for
   *     accuracy: of the 0/1 row outcomes); null when either arm has fewer than 2 outcomes
   * @param significant p &lt; 0.05 and both arms have at least {@code minOutcomes}
   * @param verdict e.g. {@code "significant: 1.3.0 lower MAE by 0.12 than 1.2.0 (p=0.003)"}
   */
  public record Comparison(String version, String baseline, Metric metric, long n,
      long baselineN, double difference, Double pValue, boolean significant, String verdict) {}

  /** What the report needs of one arm's accumulators. */
  record ArmData(String version, long requests, long errors, Histogram latency,
      Map<Metric, Moments> outcomes) {}

  /** The significance level of every comparison. */
  static final double ALPHA = 0.05;

  /** The report of a window's accumulators; see the class comment. Pure. */
  static AbWindow of(String splitId, Map<String, Double> weights, long startedAtMillis,
      Long endedAtMillis, long untracked, List<ArmData> data, int minOutcomes) {
    Map<String, ArmData> byVersion = new LinkedHashMap<>();
    TreeSet<String> versions = new TreeSet<>(AbWindow::compareVersions);
    versions.addAll(weights.keySet());
    for (ArmData d : data) {
      byVersion.put(d.version(), d);
      versions.add(d.version());
    }
    List<Arm> arms = new ArrayList<>();
    Map<String, Map<Metric, Moments>> moments = new LinkedHashMap<>();
    for (String v : versions) {
      ArmData d = byVersion.getOrDefault(v, new ArmData(v, 0, 0, null, Map.of()));
      Map<Metric, Moments> m = new EnumMap<>(Metric.class);
      m.putAll(d.outcomes());
      moments.put(v, m);
      arms.add(arm(d, weights.get(v), m));
    }
    String baseline = versions.stream()
        .max(Comparator.<String>comparingDouble(v -> weights.getOrDefault(v, 0.0))
            .thenComparing((a, b) -> compareVersions(b, a)))
        .orElse(null);
    List<Comparison> comparisons = new ArrayList<>();
    for (String v : versions) {
      if (v.equals(baseline)) {
        continue;
      }
      for (Metric metric : Metric.values()) {
        Moments a = moments.get(baseline).getOrDefault(metric, Moments.EMPTY);
        Moments b = moments.get(v).getOrDefault(metric, Moments.EMPTY);
        if (a.n() > 0 && b.n() > 0) {
          comparisons.add(Verdicts.compare(v, baseline, metric, a, b, minOutcomes));
        }
      }
    }
    return new AbWindow(splitId, Map.copyOf(weights), startedAtMillis, endedAtMillis, baseline,
        minOutcomes, List.copyOf(arms), List.copyOf(comparisons),
        Verdicts.summary(versions.size(), comparisons), untracked);
  }

  private static Arm arm(ArmData d, Double weight, Map<Metric, Moments> m) {
    Histogram h = d.latency();
    boolean timed = h != null && h.getTotalCount() > 0;
    List<Outcome> outcomes = new ArrayList<>();
    for (Map.Entry<Metric, Moments> e : m.entrySet()) {
      if (e.getValue().n() > 0) {
        outcomes.add(outcome(e.getKey(), e.getValue()));
      }
    }
    return new Arm(d.version(), weight, d.requests(), d.errors(),
        d.requests() == 0 ? null : (double) d.errors() / d.requests(),
        timed ? millis(h, 50) : null, timed ? millis(h, 95) : null,
        timed ? millis(h, 99) : null, List.copyOf(outcomes));
  }

  static Outcome outcome(Metric metric, Moments m) {
    return switch (metric) {
      case ACCURACY -> {
        Stats.Interval ci = Stats.wilson(Math.round(m.mean() * m.n()), m.n());
        yield new Outcome(metric, m.n(), m.mean(), ci.low(), ci.high());
      }
      case RMSE -> {
        Stats.Interval ci = Stats.meanInterval(m);
        yield new Outcome(metric, m.n(), Math.sqrt(m.mean()),
            ci == null ? null : Math.sqrt(Math.max(0, ci.low())),
            ci == null ? null : Math.sqrt(ci.high()));
      }
      case MAE, REWARD -> {
        Stats.Interval ci = Stats.meanInterval(m);
        yield new Outcome(metric, m.n(), m.mean(), ci == null ? null : ci.low(),
            ci == null ? null : ci.high());
      }
    };
  }

  private static double millis(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  /** Semantic version order; names that are not versions after those that are, by text. */
  static int compareVersions(String a, String b) {
    boolean va = SemVer.isValid(a);
    boolean vb = SemVer.isValid(b);
    if (va && vb) {
      int c = SemVer.parse(a).compareTo(SemVer.parse(b));
      return c != 0 ? c : a.compareTo(b);
    }
    return va != vb ? (va ? -1 : 1) : a.compareTo(b);
  }
}
