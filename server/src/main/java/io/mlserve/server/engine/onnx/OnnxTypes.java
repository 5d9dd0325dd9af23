package io.mlserve.server.engine.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import io.mlserve.server.tensor.DataType;
import java.util.Optional;

/**
 * Maps ONNX element types to mlserve's datatypes and back. ONNX {@code string} is served as
 * {@code BYTES}; types mlserve has no datatype for ({@code bfloat16}, complex, the float8
 * family) map to nothing. Stateless; thread-safe.
 */
final class OnnxTypes {
  private OnnxTypes() {}

  /** The mlserve datatype of an ONNX element type, or empty when mlserve cannot serve it. */
  static Optional<DataType> fromOnnx(OnnxTensorType t) {
    DataType d = switch (t) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FP16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
      default -> null;
    };
    return Optional.ofNullable(d);
  }

  /**
   * How an input tensor of this datatype is handed to ONNX Runtime as a direct buffer (every
   * fixed-size type the engine serves; BYTES inputs go as strings).
   */
  static OnnxJavaType javaType(DataType t) {
    return switch (t) {
      case BOOL -> OnnxJavaType.BOOL;
      case UINT8 -> OnnxJavaType.UINT8;
      case INT8 -> OnnxJavaType.INT8;
      case INT16 -> OnnxJavaType.INT16;
      case INT32 -> OnnxJavaType.INT32;
      case INT64 -> OnnxJavaType.INT64;
      case FP16 -> OnnxJavaType.FLOAT16;
      case FP32 -> OnnxJavaType.FLOAT;
      case FP64 -> OnnxJavaType.DOUBLE;
      case UINT16, UINT32, UINT64, BYTES -> throw new IllegalArgumentException(
          "datatype " + t + " is not served by the ONNX engine as a buffer");
    };
  }

  /** The ONNX spelling of an element type for messages, e.g. {@code bfloat16}. */
  static String onnxName(OnnxTensorType t) {
    String n = t.name().replace("ONNX_TENSOR_ELEMENT_DATA_TYPE_", "").toLowerCase(
        java.util.Locale.ROOT);
    return n.equals("float") ? "float32" : n;
  }
}
