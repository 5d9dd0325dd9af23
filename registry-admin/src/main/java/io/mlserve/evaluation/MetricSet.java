package io.mlserve.evaluation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The metrics of one version over one dataset: the scalar metrics by name (in a stable order;
 * a null value means "not computed", and {@link #notes} says why), counts behind them, the
 * per-output breakdown of a regression, and notes that a reader needs to interpret the numbers
 * (rows excluded from MAPE, why log-loss is missing, how unpredicted classes count).
 *
 * <p>Names: regression {@value #MAE}, {@value #RMSE}, {@value #MAPE} (a fraction: 0.05 is 5 %),
 * {@value #R2}; classification {@value #ACCURACY}, {@value #PRECISION}, {@value #RECALL},
 * {@value #F1}, {@value #LOG_LOSS}; custom metrics under their declared names. Immutable.
 *
 * @param kind which family of metrics this is
 * @param rows the dataset rows scored
 * @param values scalar metrics by name, in a stable order; null where not computed
 * @param counts what the metrics count (values, rows excluded, classes), by name
 * @param outputs per output value of a regression (empty for a classification)
 * @param notes what a reader needs to know to interpret the numbers
 */
public record MetricSet(TaskKind kind, long rows, Map<String, Double> values,
    Map<String, Long> counts, List<OutputMetrics> outputs, List<String> notes) {
  public static final String MAE = "mae";
  public static final String RMSE = "rmse";
  public static final String MAPE = "mape";
  public static final String R2 = "r2";
  public static final String ACCURACY = "accuracy";
  public static final String PRECISION = "precision_macro";
  public static final String RECALL = "recall_macro";
  public static final String F1 = "f1_macro";
  public static final String LOG_LOSS = "log_loss";

  public MetricSet {
    Objects.requireNonNull(kind, "kind");
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    outputs = List.copyOf(outputs);
    notes = List.copyOf(notes);
  }

  /** A metric's value; null when it was not computed or does not exist. */
  public Double value(String name) {
    return values.get(name);
  }

  /** This set with {@code extra} metrics appended (custom metrics); names must be new. */
  public MetricSet withValues(Map<String, Double> extra, List<String> extraNotes) {
    Map<String, Double> all = new LinkedHashMap<>(values);
    for (Map.Entry<String, Double> e : extra.entrySet()) {
      if (all.containsKey(e.getKey())) {
        throw new IllegalArgumentException("metric '" + e.getKey() + "' is already defined");
      }
      all.put(e.getKey(), e.getValue());
    }
    List<String> n = new java.util.ArrayList<>(notes);
    n.addAll(extraNotes);
    return new MetricSet(kind, rows, all, counts, outputs, n);
  }

  /**
   * One output value of a regression (e.g. one tenor of a curve).
   *
   * @param index the output's position in the row (0-based)
   * @param mae mean absolute error
   * @param rmse root mean squared error
   * @param mape mean absolute percentage error as a fraction, null when every label is 0
   * @param r2 coefficient of determination, null when the labels are constant
   */
  public record OutputMetrics(int index, double mae, double rmse, Double mape, Double r2) {}

  /** Null for a NaN (a metric that is undefined), else the value. */
  static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
