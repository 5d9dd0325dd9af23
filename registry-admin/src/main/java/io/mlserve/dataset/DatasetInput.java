package io.mlserve.dataset;

import java.util.List;
import java.util.Objects;

/**
 * One model input as a dataset row holds it: the name, the OIP datatype, and the shape of one
 * row (the signature's shape without its batch dimension; {@code []} for one value a row).
 * Immutable.
 */
public record DatasetInput(String name, String datatype, List<Long> shape) {
  public DatasetInput {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    shape = List.copyOf(Objects.requireNonNull(shape, "shape"));
  }

  /** Elements in one row: the product of {@link #shape()} (1 for {@code []}). */
  public int elements() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return Math.toIntExact(n);
  }

  /** The shape as an error message shows it, e.g. {@code [4]} or {@code [2, 3]}. */
  String shapeText() {
    return shape.toString();
  }
}
