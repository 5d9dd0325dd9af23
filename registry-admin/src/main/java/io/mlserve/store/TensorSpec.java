package io.mlserve.store;

import java.util.List;
import java.util.Objects;

/**
 * One named tensor of a model signature: its OIP v2 datatype ({@code FP32}, {@code INT64}, ...)
 * and shape, where {@code -1} marks a variable dimension (usually the batch). Immutable.
 */
public record TensorSpec(String name, String datatype, List<Long> shape) {
  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    shape = List.copyOf(Objects.requireNonNull(shape, "shape"));
  }
}
