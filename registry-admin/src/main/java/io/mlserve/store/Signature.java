package io.mlserve.store;

import java.util.List;

/** A model's input and output tensors, in the order the model takes and returns them. Immutable. */
public record Signature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
  /** Null lists read as empty, so a manifest without a signature still loads. */
  public Signature {
    inputs = inputs == null ? List.of() : List.copyOf(inputs);
    outputs = outputs == null ? List.of() : List.copyOf(outputs);
  }

  /** A signature with no tensors. */
  public static Signature empty() {
    return new Signature(List.of(), List.of());
  }
}
