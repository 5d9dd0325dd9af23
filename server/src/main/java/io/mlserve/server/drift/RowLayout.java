package io.mlserve.server.drift;

import io.mlserve.drift.FeatureNames;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where each tensor's values go in a sampled row: the input tensors' values (row-major, in
 * signature order), then the output tensors'. Feature names follow {@link FeatureNames}, so a
 * row's value {@code i} is input feature {@code i} (or output feature {@code i - inputWidth}).
 * Outputs whose shape has a variable row dimension are left out (the row holds inputs only) and
 * {@link #note} says why. {@code BYTES} tensors are not numbers and are left out on both sides
 * ({@link FeatureNames#profiled}). Immutable.
 *
 * @param inputs input tensor names, in signature order
 * @param inputWidths values one row of each input holds
 * @param outputs output tensor names sampled (empty when the outputs are left out)
 * @param outputWidths values one row of each sampled output holds
 * @param inputFeatures input feature names, one per input value of a row
 * @param outputFeatures output feature names, one per output value of a row
 * @param note why the outputs are not sampled, or null
 */
record RowLayout(List<String> inputs, int[] inputWidths, List<String> outputs,
    int[] outputWidths, List<String> inputFeatures, List<String> outputFeatures, String note) {
  RowLayout {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    inputFeatures = List.copyOf(inputFeatures);
    outputFeatures = List.copyOf(outputFeatures);
  }

  /**
   * The layout of a signature.
   *
   * @throws IllegalArgumentException when the inputs cannot be profiled (none, a variable row
   *     dimension, too many values a row), saying why
   */
  static RowLayout of(Signature signature) {
    Objects.requireNonNull(signature, "signature");
    if (signature.inputs().isEmpty()) {
      throw new IllegalArgumentException("the version's signature declares no inputs");
    }
    List<TensorSpec> inputs = FeatureNames.profiled(signature.inputs());
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("the version's inputs are all BYTES (strings), which "
          + "drift profiles do not cover");
    }
    List<TensorSpec> outputs = FeatureNames.profiled(signature.outputs());
    List<String> inFeatures = FeatureNames.inputs(signature);
    List<String> outFeatures;
    String note = null;
    try {
      outFeatures = FeatureNames.outputs(signature);
    } catch (IllegalArgumentException e) {
      outFeatures = List.of();
      note = "outputs not sampled: " + e.getMessage();
    }
    boolean withOutputs = note == null;
    return new RowLayout(names(inputs), widths(inputs, "input"),
        withOutputs ? names(outputs) : List.of(),
        withOutputs ? widths(outputs, "output") : new int[0], inFeatures,
        outFeatures, note);
  }

  private static List<String> names(List<TensorSpec> specs) {
    List<String> out = new ArrayList<>(specs.size());
    specs.forEach(s -> out.add(s.name()));
    return out;
  }

  private static int[] widths(List<TensorSpec> specs, String side) {
    int[] w = new int[specs.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = FeatureNames.rowElements(specs.get(i), side);
    }
    return w;
  }

  /** Values per row on the input side. */
  int inputWidth() {
    return inputFeatures.size();
  }

  /** Values per row on the output side (0 when outputs are not sampled). */
  int outputWidth() {
    return outputFeatures.size();
  }

  /** Values per sampled row. */
  int width() {
    return inputWidth() + outputWidth();
  }
}
