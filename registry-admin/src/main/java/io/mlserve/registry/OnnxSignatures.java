package io.mlserve.registry;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.mlserve.store.IoErrors;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the signature of an ONNX model from its file, so that an ONNX version may be registered
 * without one: the graph's inputs (less its initializers, which old exporters list as inputs)
 * and outputs, with OIP datatypes (ONNX {@code string} as {@code BYTES}) and {@code -1} for every
 * symbolic dimension. The file is streamed; weights are skipped, never held. The server's ONNX
 * engine checks the same graph again at load. Stateless; thread-safe.
 */
public final class OnnxSignatures {
  // ModelProto.graph; GraphProto.initializer/input/output; ValueInfoProto.name/type;
  // TypeProto.tensor_type/sequence_type/map_type; TypeProto.Tensor.elem_type/shape;
  // TensorShapeProto.dim; Dimension.dim_value; TensorProto.name.
  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_INITIALIZER = 5;
  private static final int GRAPH_INPUT = 11;
  private static final int GRAPH_OUTPUT = 12;
  private static final int TENSOR_NAME = 8;
  /**
   * ONNX TensorProto.DataType numbers to OIP datatypes; null where the ONNX engine serves none
   * (uint16/32/64 too: ONNX Runtime's Java API has no such tensors).
   */
  private static final String[] TYPES = {null, "FP32", "UINT8", "INT8", null, "INT16",
      "INT32", "INT64", "BYTES", "BOOL", "FP16", "FP64"};

  private OnnxSignatures() {}

  /**
   * @throws InvalidRequestException when the file is not an ONNX model, or a tensor is not one
   *     the server can serve (a ZipMap sequence of maps, an element type without a datatype)
   */
  public static Signature read(Path artifact) {
    List<TensorSpec> inputs = new ArrayList<>();
    List<TensorSpec> outputs = new ArrayList<>();
    Set<String> initializers = new HashSet<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(artifact))) {
      CodedInputStream model = CodedInputStream.newInstance(in);
      model.setSizeLimit(Integer.MAX_VALUE);
      for (int tag = model.readTag(); tag != 0; tag = model.readTag()) {
        if (WireFormat.getTagFieldNumber(tag) != MODEL_GRAPH) {
          model.skipField(tag);
          continue;
        }
        int limit = model.pushLimit(model.readRawVarint32());
        for (int g = model.readTag(); g != 0; g = model.readTag()) {
          switch (WireFormat.getTagFieldNumber(g)) {
            case GRAPH_INPUT -> inputs.add(valueInfo("input", model.readBytes().newCodedInput()));
            case GRAPH_OUTPUT ->
                outputs.add(valueInfo("output", model.readBytes().newCodedInput()));
            case GRAPH_INITIALIZER -> initializers.add(initializerName(model));
            default -> model.skipField(g);
          }
        }
        model.popLimit(limit);
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new InvalidRequestException("artifact " + artifact.getFileName()
          + " is not an ONNX model: its content is not a protobuf ModelProto", e);
    } catch (IOException e) {
      throw new InvalidRequestException("artifact " + artifact.getFileName() + " cannot be read: "
          + IoErrors.reason(e), e);
    }
    inputs.removeIf(t -> initializers.contains(t.name()));
    if (inputs.isEmpty() || outputs.isEmpty()) {
      throw new InvalidRequestException("artifact " + artifact.getFileName() + " is not an ONNX"
          + " model with graph inputs and outputs");
    }
    return new Signature(inputs, outputs);
  }

  private static String initializerName(CodedInputStream model) throws IOException {
    int limit = model.pushLimit(model.readRawVarint32());
    String name = "";
    for (int t = model.readTag(); t != 0; t = model.readTag()) {
      if (WireFormat.getTagFieldNumber(t) == TENSOR_NAME) {
        name = model.readStringRequireUtf8();
      } else {
        model.skipField(t); // dims, raw_data, ...: skipped without keeping them
      }
    }
    model.popLimit(limit);
    return name;
  }

  private static TensorSpec valueInfo(String role, CodedInputStream in) throws IOException {
    String name = "";
    CodedInputStream type = null;
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(t)) {
        case 1 -> name = in.readStringRequireUtf8();
        case 2 -> type = in.readBytes().newCodedInput();
        default -> in.skipField(t);
      }
    }
    if (type == null) {
      throw new InvalidRequestException("the ONNX graph's " + role + " '" + name
          + "' has no type; give the signature");
    }
    CodedInputStream tensor = null;
    for (int t = type.readTag(); t != 0; t = type.readTag()) {
      int field = WireFormat.getTagFieldNumber(t);
      if (field == 1) {
        tensor = type.readBytes().newCodedInput();
      } else if (field == 4 || field == 5) {
        throw new InvalidRequestException("the ONNX graph's " + role + " '" + name + "' is"
            + (field == 4 ? " a sequence (a ZipMap's sequence of maps?)" : " a map")
            + ", not a tensor; export the model without ZipMap (skl2onnx:"
            + " options={'zipmap': False}) so that probabilities are a [N, classes] tensor");
      } else {
        type.skipField(t);
      }
    }
    if (tensor == null) {
      throw new InvalidRequestException("the ONNX graph's " + role + " '" + name
          + "' is not a tensor");
    }
    int elem = 0;
    List<Long> shape = new ArrayList<>();
    for (int t = tensor.readTag(); t != 0; t = tensor.readTag()) {
      int field = WireFormat.getTagFieldNumber(t);
      if (field == 1) {
        elem = tensor.readInt32();
      } else if (field == 2) {
        CodedInputStream dims = tensor.readBytes().newCodedInput();
        for (int d = dims.readTag(); d != 0; d = dims.readTag()) {
          if (WireFormat.getTagFieldNumber(d) == 1) {
            shape.add(dimension(dims.readBytes().newCodedInput()));
          } else {
            dims.skipField(d);
          }
        }
      } else {
        tensor.skipField(t);
      }
    }
    String datatype = elem > 0 && elem < TYPES.length ? TYPES[elem] : null;
    if (datatype == null) {
      throw new InvalidRequestException("the ONNX graph's " + role + " '" + name
          + "' has ONNX element type " + elem + ", which is not served (supported: bool, uint8,"
          + " int8, int16, int32, int64, float16, float32, float64, string)");
    }
    return new TensorSpec(name, datatype, shape);
  }

  /** A Dimension's size: dim_value when set, else -1 (dim_param or unknown). */
  private static long dimension(CodedInputStream dim) throws IOException {
    long value = -1;
    for (int t = dim.readTag(); t != 0; t = dim.readTag()) {
      if (WireFormat.getTagFieldNumber(t) == 1) {
        value = dim.readInt64();
      } else {
        dim.skipField(t);
      }
    }
    return value;
  }
}
