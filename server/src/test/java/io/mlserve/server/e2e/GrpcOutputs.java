package io.mlserve.server.e2e;

import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Reads a ModelInfer answer's numeric outputs as doubles, typed or raw. Stateless. */
final class GrpcOutputs {
  private GrpcOutputs() {}

  /** Output {@code i}'s values, row-major; FP32, FP64, INT32 and INT64. */
  static List<Double> values(ModelInferResponse r, int i) {
    String type = r.getOutputs(i).getDatatype();
    List<Double> out = new ArrayList<>();
    if (r.getRawOutputContentsCount() > i) {
      ByteBuffer b = r.getRawOutputContents(i).asReadOnlyByteBuffer()
          .order(ByteOrder.LITTLE_ENDIAN);
      while (b.hasRemaining()) {
        out.add(switch (type) {
          case "FP32" -> (double) b.getFloat();
          case "FP64" -> b.getDouble();
          case "INT32" -> (double) b.getInt();
          case "INT64" -> (double) b.getLong();
          default -> throw new IllegalArgumentException("no reader for raw " + type);
        });
      }
      return out;
    }
    InferTensorContents c = r.getOutputs(i).getContents();
    switch (type) {
      case "FP32" -> c.getFp32ContentsList().forEach(v -> out.add((double) v));
      case "FP64" -> out.addAll(c.getFp64ContentsList());
      case "INT32" -> c.getIntContentsList().forEach(v -> out.add((double) v));
      case "INT64" -> c.getInt64ContentsList().forEach(v -> out.add((double) v));
      default -> throw new IllegalArgumentException("no reader for " + type);
    }
    return out;
  }
}
