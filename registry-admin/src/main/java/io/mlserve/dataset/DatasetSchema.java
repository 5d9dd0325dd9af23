package io.mlserve.dataset;

import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What every row of a dataset must hold: a value of each model input's row shape and datatype,
 * and {@code labelWidth} label values (0 while the width is still to be learned from the first
 * row, when a dataset is being added). Immutable.
 *
 * @param inputs the model's inputs, in signature order
 * @param labelWidth label values per row, or 0: the first row decides
 */
public record DatasetSchema(List<DatasetInput> inputs, int labelWidth) {
  public DatasetSchema {
    inputs = List.copyOf(inputs);
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("a dataset needs at least one input");
    }
    if (labelWidth < 0) {
      throw new IllegalArgumentException("label width must not be negative");
    }
    for (DatasetInput in : inputs) {
      ElementType.of(in.datatype(), in.name());
    }
  }

  /**
   * The schema a model signature asks of dataset rows: each input's shape without its first
   * (batch) dimension.
   *
   * @param label which model and version the signature is of, for messages
   * @throws IllegalArgumentException when the signature declares no inputs, a dimension other
   *     than the batch is variable, an input has a datatype datasets do not carry, or the
   *     inputs exceed the limits
   */
  public static DatasetSchema of(Signature signature, String label, DatasetLimits limits) {
    Objects.requireNonNull(signature, "signature");
    if (signature.inputs().isEmpty()) {
      throw new IllegalArgumentException("the signature of " + label + " declares no inputs,"
          + " so a dataset cannot be checked against it; register a version with a signature");
    }
    if (signature.inputs().size() > limits.maxInputs()) {
      throw new IllegalArgumentException(label + " has " + signature.inputs().size()
          + " inputs; datasets hold at most " + limits.maxInputs());
    }
    List<DatasetInput> inputs = new ArrayList<>();
    long elements = 0;
    for (TensorSpec t : signature.inputs()) {
      if (t.shape().isEmpty()) {
        throw new IllegalArgumentException("input '" + t.name() + "' of " + label
            + " has shape [], without a batch dimension; datasets need [-1, ...]");
      }
      List<Long> row = t.shape().subList(1, t.shape().size());
      for (long d : row) {
        if (d < 1) {
          throw new IllegalArgumentException("input '" + t.name() + "' of " + label
              + " has shape " + t.shape() + ": datasets need every dimension but the first"
              + " fixed");
        }
      }
      DatasetInput in = new DatasetInput(t.name(), t.datatype(), row);
      ElementType.of(t.datatype(), t.name());
      elements += in.elements();
      inputs.add(in);
    }
    if (elements > limits.maxRowElements()) {
      throw new IllegalArgumentException(label + " takes " + elements + " input values a row;"
          + " datasets hold at most " + limits.maxRowElements());
    }
    return new DatasetSchema(inputs, 0);
  }

  /** This schema with the label width fixed. */
  public DatasetSchema withLabelWidth(int width) {
    return new DatasetSchema(inputs, width);
  }

  /** The input named {@code name}'s index, or -1. */
  int indexOf(String name) {
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The input names as a message lists them: {@code 'a', 'b'}. */
  String namesText() {
    StringBuilder sb = new StringBuilder();
    for (DatasetInput in : inputs) {
      sb.append(sb.length() == 0 ? "" : ", ").append('\'').append(in.name()).append('\'');
    }
    return sb.toString();
  }

  ElementType type(int input) {
    return ElementType.of(inputs.get(input).datatype(), inputs.get(input).name());
  }
}
