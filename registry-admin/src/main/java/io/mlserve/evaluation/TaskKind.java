package io.mlserve.evaluation;

import java.util.Locale;

/**
 * What the labels of an evaluation dataset are, which decides the metrics: numeric targets
 * ({@link #REGRESSION}: MAE, RMSE, MAPE, R²) or class indexes ({@link #CLASSIFICATION}:
 * accuracy, macro precision/recall/F1, log-loss).
 *
 * <p>{@link #choose} picks one when the caller asks for {@code auto}: classification when each
 * row has exactly one label value, every label of the first batch is a non-negative integer,
 * and the model answers more than one value per row (class scores or probabilities);
 * regression otherwise. A model whose single output is a class index must be evaluated with an
 * explicit {@code classification}, since a one-value integer output is also what a regression
 * of counts looks like.
 */
public enum TaskKind {
  REGRESSION,
  CLASSIFICATION;

  /** The lower-case name used in requests, JSON and reports. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code regression} or {@code classification} (any case); null for {@code auto} or
   * null, which means "choose from the data" ({@link #choose}).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static TaskKind parse(String text) {
    if (text == null || text.equalsIgnoreCase("auto")) {
      return null;
    }
    for (TaskKind k : values()) {
      if (k.wireName().equalsIgnoreCase(text.trim())) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown evaluation kind '" + text
        + "'; expected regression, classification or auto");
  }

  /**
   * The automatic choice (see the class comment) from the first batch's labels and the
   * model's output width.
   */
  public static TaskKind choose(double[] labels, int labelWidth, int outputWidth) {
    if (labelWidth != 1 || outputWidth < 2) {
      return REGRESSION;
    }
    for (double y : labels) {
      if (!(y >= 0) || y != Math.rint(y)) {
        return REGRESSION;
      }
    }
    return CLASSIFICATION;
  }
}
