package io.mlserve.server.engine.onnx;

import ai.onnxruntime.MapInfo;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import io.mlserve.server.tensor.DataType;
import io.mlserve.store.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph's inputs and outputs as mlserve tensor specs: names in graph order, datatypes
 * (ONNX {@code string} as {@code BYTES}) and shapes with {@code -1} for every symbolic or unknown
 * dimension. Everything mlserve cannot serve is refused here, at load, with the tensor named:
 * non-tensor values (ONNX-ML {@code ZipMap}'s sequence of maps above all) and element types
 * without an mlserve datatype. Immutable.
 */
record OnnxGraph(List<TensorSpec> inputs, List<TensorSpec> outputs) {
  OnnxGraph {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /**
   * Reads a session's input and output info.
   *
   * @throws IllegalArgumentException naming the first tensor that cannot be served and why
   */
  static OnnxGraph of(Map<String, NodeInfo> inputInfo, Map<String, NodeInfo> outputInfo) {
    return new OnnxGraph(specs("input", inputInfo), specs("output", outputInfo));
  }

  private static List<TensorSpec> specs(String role, Map<String, NodeInfo> info) {
    List<TensorSpec> specs = new ArrayList<>(info.size());
    for (NodeInfo node : info.values()) { // ORT keeps graph order
      specs.add(spec(role, node.getName(), node.getInfo()));
    }
    return specs;
  }

  private static TensorSpec spec(String role, String name, ValueInfo value) {
    if (value instanceof SequenceInfo seq && seq.isSequenceOfMaps()) {
      throw new IllegalArgumentException(role + " '" + name + "' is a sequence of maps (the"
          + " ONNX-ML ZipMap form of classifier probabilities), which is not served: export the"
          + " model without ZipMap (skl2onnx: options={'zipmap': False}) so that the"
          + " probabilities are a [N, classes] float tensor");
    }
    if (value instanceof SequenceInfo || value instanceof MapInfo) {
      throw new IllegalArgumentException(role + " '" + name + "' is an ONNX "
          + (value instanceof MapInfo ? "map" : "sequence") + ", not a tensor; only tensor "
          + role + "s are served");
    }
    if (!(value instanceof TensorInfo tensor)) {
      throw new IllegalArgumentException(role + " '" + name + "' is not a tensor; only tensor "
          + role + "s are served");
    }
    DataType type = OnnxTypes.fromOnnx(tensor.onnxType).orElseThrow(
        () -> new IllegalArgumentException(role + " '" + name + "' has ONNX element type "
            + OnnxTypes.onnxName(tensor.onnxType) + ", which is not served (supported: bool,"
            + " uint8, int8, int16, int32, int64, float16, float32, float64, string)"));
    long[] shape = tensor.getShape();
    List<Long> dims = new ArrayList<>(shape.length);
    for (long d : shape) {
      dims.add(d < 0 ? -1L : d); // a symbolic dimension reads as -1
    }
    return new TensorSpec(name, type.wireName(), dims);
  }

  /**
   * Whether dimension 0 of every given tensor is variable: then rows of several requests may be
   * stacked into one run.
   */
  static boolean dynamicBatch(List<TensorSpec> tensors) {
    return tensors.stream().allMatch(t -> !t.shape().isEmpty() && t.shape().get(0) == -1L);
  }

  /** A shape for messages, e.g. {@code [-1, 3]}. */
  static String shapeText(List<Long> shape) {
    return Arrays.toString(shape.toArray());
  }
}
