package io.mlserve.evaluation;

/**
 * Streaming metrics of one version: batches of labels and outputs go in, in any split, and
 * {@link #result} gives the metrics of all rows added. Memory is constant in the row count
 * (it grows only with the output width or the number of classes seen). Two accumulators of the
 * same kind and shape {@link #merge} into the accumulator of their rows together, so rows can
 * be scored in parallel. Not thread-safe.
 */
public sealed interface MetricAccumulator permits RegressionAccumulator,
    ClassificationAccumulator {
  /** The most classes a classification may have by default. */
  int DEFAULT_MAX_CLASSES = 10_000;

  /**
   * Scores {@code rows} rows.
   *
   * @param firstRow the dataset index of the first row, for error messages
   * @param labels {@code rows * labelWidth} label values, row-major
   * @param outputs {@code rows * outputWidth} output values, row-major
   * @throws IllegalArgumentException naming the row when a value cannot be scored (not a
   *     finite number, not a class index)
   */
  void add(long firstRow, int rows, double[] labels, double[] outputs);

  /** Adds {@code other}'s rows (an accumulator of the same kind and shape) to this one's. */
  void merge(MetricAccumulator other);

  /** The metrics of the rows added so far. */
  MetricSet result();

  /**
   * An empty accumulator.
   *
   * @throws IllegalArgumentException when the widths do not fit the kind: a regression needs
   *     as many outputs as label values per row, a classification one label value per row
   */
  static MetricAccumulator create(TaskKind kind, int labelWidth, int outputWidth,
      int maxClasses) {
    if (labelWidth < 1 || outputWidth < 1) {
      throw new IllegalArgumentException("label and output widths must be at least 1");
    }
    return switch (kind) {
      case REGRESSION -> {
        if (labelWidth != outputWidth) {
          throw new IllegalArgumentException("a regression compares each output value with its"
              + " label, but the model answers " + outputWidth + " value(s) per row and the"
              + " dataset has " + labelWidth + " label value(s) per row");
        }
        yield new RegressionAccumulator(labelWidth);
      }
      case CLASSIFICATION -> {
        if (labelWidth != 1) {
          throw new IllegalArgumentException("a classification needs one label per row (the"
              + " class index), but the dataset has " + labelWidth + " label values per row");
        }
        yield new ClassificationAccumulator(outputWidth, maxClasses);
      }
    };
  }
}
