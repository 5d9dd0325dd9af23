package io.mlserve.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one metric of the candidate differs from the baseline's: {@code absolute} is candidate −
 * baseline, {@code relative} is that divided by |baseline| (0.1 = 10 % higher). Either is null
 * when it cannot be computed (a metric missing on one side; relative also when the baseline is
 * 0). Whether higher is better is the gate's business, not this record's.
 *
 * @param metric the metric's name
 * @param candidate the candidate's value, or null
 * @param baseline the baseline's value, or null
 * @param absolute candidate − baseline, or null
 * @param relative (candidate − baseline) / |baseline|, or null
 */
public record Delta(String metric, Double candidate, Double baseline, Double absolute,
    Double relative) {
  public Delta {
    Objects.requireNonNull(metric, "metric");
  }

  /** The delta of one metric. */
  public static Delta of(String metric, Double candidate, Double baseline) {
    if (candidate == null || baseline == null) {
      return new Delta(metric, candidate, baseline, null, null);
    }
    double abs = candidate - baseline;
    return new Delta(metric, candidate, baseline, abs,
        baseline == 0 ? null : abs / Math.abs(baseline));
  }

  /** The deltas of every metric the candidate has, in its order. */
  public static List<Delta> between(MetricSet candidate, MetricSet baseline) {
    List<Delta> out = new ArrayList<>();
    for (Map.Entry<String, Double> e : candidate.values().entrySet()) {
      out.add(of(e.getKey(), e.getValue(), baseline.value(e.getKey())));
    }
    return out;
  }
}
