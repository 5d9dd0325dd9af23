package io.mlserve.server.model;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.TensorSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Checks a request's input tensors against a model's declared signature and puts them in the
 * signature's order. Every refusal names the tensor, what was expected and what came.
 *
 * <p>Immutable; thread-safe.
 */
public final class RequestValidator {
  private final String modelLabel;
  private final List<TensorSpec> inputs;
  private final DataType[] types;
  private final long[][] shapes;

  public RequestValidator(String modelLabel, List<TensorSpec> inputs) {
    this.modelLabel = Objects.requireNonNull(modelLabel, "modelLabel");
    this.inputs = List.copyOf(inputs);
    this.types = new DataType[this.inputs.size()];
    this.shapes = new long[this.inputs.size()][];
    for (int i = 0; i < types.length; i++) {
      TensorSpec spec = this.inputs.get(i);
      types[i] = DataType.parse(spec.datatype());
      shapes[i] = spec.shape().stream().mapToLong(Long::longValue).toArray();
    }
  }

  /** Whether every input declares a variable leading (batch) dimension. */
  public boolean batchable() {
    for (long[] s : shapes) {
      if (s.length == 0 || s[0] != -1) {
        return false;
      }
    }
    return true;
  }

  /**
   * Orders and checks the request's tensors.
   *
   * @return the tensors in signature order
   * @throws InferenceException INVALID_ARGUMENT naming the first problem found
   */
  public Tensor[] validate(List<Tensor> given) {
    if (given.size() != inputs.size()) {
      throw InferenceException.invalid(
          "model " + modelLabel + " takes " + inputs.size() + " input(s) (" + describeAll()
              + "), request has " + given.size());
    }
    Tensor[] ordered = new Tensor[inputs.size()];
    if (inputs.size() == 1) {
      ordered[0] = check(0, given.get(0));
    } else {
      for (Tensor t : given) {
        int idx = indexOf(t.name());
        if (ordered[idx] != null) {
          throw InferenceException.invalid("input '" + t.name() + "' is given twice");
        }
        ordered[idx] = check(idx, t);
      }
    }
    if (batchable()) {
      long rows = ordered[0].dim(0);
      for (Tensor t : ordered) {
        if (t.dim(0) != rows) {
          throw InferenceException.invalid(
              "inputs disagree on the batch dimension: '" + ordered[0].name() + "' has " + rows
                  + " rows, '" + t.name() + "' has " + t.dim(0));
        }
      }
      if (rows < 1) {
        throw InferenceException.invalid("input '" + ordered[0].name() + "' has no rows");
      }
    }
    return ordered;
  }

  private int indexOf(String name) {
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i).name().equals(name)) {
        return i;
      }
    }
    throw InferenceException.invalid(
        "unknown input '" + name + "'; model " + modelLabel + " takes " + describeAll());
  }

  private Tensor check(int idx, Tensor t) {
    TensorSpec spec = inputs.get(idx);
    if (!spec.name().equals(t.name())) {
      throw InferenceException.invalid(
          "unknown input '" + t.name() + "'; model " + modelLabel + " takes " + describeAll());
    }
    if (t.dataType() != types[idx]) {
      throw InferenceException.invalid(
          "input '" + t.name() + "': expected datatype " + types[idx] + ", got " + t.dataType());
    }
    long[] want = shapes[idx];
    long[] got = t.shape();
    boolean ok = want.length == got.length;
    for (int d = 0; ok && d < want.length; d++) {
      ok = want[d] == -1 || want[d] == got[d];
    }
    if (!ok) {
      throw InferenceException.invalid(
          "input '" + t.name() + "': expected shape " + Arrays.toString(want)
              + " (-1: any size), got " + Arrays.toString(got));
    }
    return t;
  }

  private String describeAll() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < inputs.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(inputs.get(i).name())
          .append(' ')
          .append(types[i])
          .append(' ')
          .append(Arrays.toString(shapes[i]));
    }
    return sb.toString();
  }
}
