package io.mlserve.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Streams the custom metrics of one version: each {@link CustomMetric}'s expression evaluated
 * for every scored value (a regression's output values; a classification's rows, with
 * {@code pred} the predicted class) and averaged with a compensated sum. A metric whose
 * expression gives a non-finite value (a division by zero, the log of a negative) is reported
 * as null with a note naming the first row. Not thread-safe.
 */
final class CustomMetrics {
  private static final Set<String> BUILT_IN = Set.of(MetricSet.MAE, MetricSet.RMSE,
      MetricSet.MAPE, MetricSet.R2, MetricSet.ACCURACY, MetricSet.PRECISION, MetricSet.RECALL,
      MetricSet.F1, MetricSet.LOG_LOSS);

  private final List<CustomMetric> metrics;
  private final Expression[] expressions;
  private final boolean regression;
  private final int width;
  private final CompensatedSums sums;
  private final String[] problems;
  private long count;

  /**
   * @throws IllegalArgumentException when an expression does not parse or a name is a
   *     built-in metric's, naming the metric
   */
  CustomMetrics(List<CustomMetric> metrics, TaskKind kind, int width) {
    this.metrics = List.copyOf(metrics);
    this.expressions = new Expression[metrics.size()];
    for (int i = 0; i < expressions.length; i++) {
      CustomMetric m = metrics.get(i);
      if (BUILT_IN.contains(m.name())) {
        throw new IllegalArgumentException("custom metric '" + m.name() + "' has the name of a"
            + " built-in metric");
      }
      try {
        expressions[i] = Expression.parse(m.expression());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("custom metric '" + m.name() + "': "
            + e.getMessage(), e);
      }
    }
    this.regression = kind == TaskKind.REGRESSION;
    this.width = width;
    this.sums = new CompensatedSums(expressions.length);
    this.problems = new String[expressions.length];
  }

  /** Scores rows already validated by the version's {@link MetricAccumulator}. */
  void add(long firstRow, int rows, double[] labels, double[] outputs) {
    int perRow = regression ? width : 1;
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < perRow; j++) {
        double pred = regression ? outputs[r * width + j]
            : ClassificationAccumulator.predictedClass(outputs, r * width, width);
        double label = labels[r * perRow + j];
        for (int m = 0; m < expressions.length; m++) {
          if (problems[m] != null) {
            continue;
          }
          double v = expressions[m].evaluate(pred, label, j);
          if (!Double.isFinite(v)) {
            problems[m] = "custom metric '" + metrics.get(m).name() + "' is not computed: its"
                + " expression gives " + v + " at row " + (firstRow + r) + ", value " + j;
          } else {
            sums.add(m, v);
          }
        }
      }
    }
    count += (long) rows * perRow;
  }

  /** Each metric's mean, null where not computed, in declaration order. */
  Map<String, Double> result() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int m = 0; m < expressions.length; m++) {
      out.put(metrics.get(m).name(), problems[m] == null && count > 0
          ? sums.value(m) / count : null);
    }
    return out;
  }

  /** Why metrics are missing. */
  List<String> notes() {
    List<String> notes = new ArrayList<>();
    for (String p : problems) {
      if (p != null) {
        notes.add(p);
      }
    }
    return notes;
  }
}
