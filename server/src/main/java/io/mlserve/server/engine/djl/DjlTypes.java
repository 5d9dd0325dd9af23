package io.mlserve.server.engine.djl;

import ai.djl.Device;
import io.mlserve.server.engine.DeviceNames;
import io.mlserve.server.tensor.DataType;
import java.util.OptionalInt;

/** Maps mlserve's datatypes and device names to DJL's. Stateless; thread-safe. */
final class DjlTypes {
  private DjlTypes() {}

  static ai.djl.ndarray.types.DataType toDjl(DataType t) {
    return switch (t) {
      case BOOL -> ai.djl.ndarray.types.DataType.BOOLEAN;
      case UINT8 -> ai.djl.ndarray.types.DataType.UINT8;
      case UINT16 -> ai.djl.ndarray.types.DataType.UINT16;
      case UINT32 -> ai.djl.ndarray.types.DataType.UINT32;
      case UINT64 -> ai.djl.ndarray.types.DataType.UINT64;
      case INT8 -> ai.djl.ndarray.types.DataType.INT8;
      case INT16 -> ai.djl.ndarray.types.DataType.INT16;
      case INT32 -> ai.djl.ndarray.types.DataType.INT32;
      case INT64 -> ai.djl.ndarray.types.DataType.INT64;
      case FP16 -> ai.djl.ndarray.types.DataType.FLOAT16;
      case FP32 -> ai.djl.ndarray.types.DataType.FLOAT32;
      case FP64 -> ai.djl.ndarray.types.DataType.FLOAT64;
      case BYTES -> throw new IllegalArgumentException(
          "BYTES tensors are not supported by the TorchScript engine");
    };
  }

  static DataType fromDjl(ai.djl.ndarray.types.DataType t) {
    return switch (t) {
      case BOOLEAN -> DataType.BOOL;
      case UINT8 -> DataType.UINT8;
      case UINT16 -> DataType.UINT16;
      case UINT32 -> DataType.UINT32;
      case UINT64 -> DataType.UINT64;
      case INT8 -> DataType.INT8;
      case INT16 -> DataType.INT16;
      case INT32 -> DataType.INT32;
      case INT64 -> DataType.INT64;
      case FLOAT16 -> DataType.FP16;
      case FLOAT32 -> DataType.FP32;
      case FLOAT64 -> DataType.FP64;
      default -> throw new IllegalArgumentException("model produced unsupported DJL datatype " + t);
    };
  }

  /** The DJL device for a manifest device name (see {@link DeviceNames#gpuIndex}). */
  static Device device(String name) {
    OptionalInt gpu = DeviceNames.gpuIndex(name);
    return gpu.isPresent() ? Device.gpu(gpu.getAsInt()) : Device.cpu();
  }
}
