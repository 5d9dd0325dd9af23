package io.mlserve.dataset;

import java.util.List;
import java.util.Objects;

/**
 * Consecutive rows of an evaluation dataset: the inputs the model takes, one array per model
 * input, and the labels, {@code labelWidth} values per row (a regression target per output
 * value, or one class index per row). Immutable by contract (the arrays are not copied).
 *
 * @param firstRow the index of this batch's first row in the dataset (0-based)
 * @param rows how many rows it holds, at least 1
 * @param inputs one array per model input, each with {@code rows} as its first dimension
 * @param labels {@code rows * labelWidth} values, row-major
 * @param labelWidth values per row in {@code labels}, at least 1
 */
public record DatasetBatch(long firstRow, int rows, List<InputArray> inputs, double[] labels,
    int labelWidth) {
  public DatasetBatch {
    inputs = List.copyOf(inputs);
    Objects.requireNonNull(labels, "labels");
    if (rows < 1 || labelWidth < 1 || firstRow < 0) {
      throw new IllegalArgumentException("a batch needs at least one row and one label value");
    }
    if ((long) rows * labelWidth != labels.length) {
      throw new IllegalArgumentException(rows + " rows of " + labelWidth + " label values need "
          + (long) rows * labelWidth + " values, got " + labels.length);
    }
    for (InputArray a : inputs) {
      if (a.rows() != rows) {
        throw new IllegalArgumentException("input '" + a.name() + "' has " + a.rows()
            + " rows in a batch of " + rows);
      }
    }
  }
}
