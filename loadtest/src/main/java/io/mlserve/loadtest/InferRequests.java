package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds the gRPC request messages of a {@link Workload}, once, before the run, so that the hot
 * path only picks one from an array. Stateless; thread-safe (protobuf messages are immutable).
 */
final class InferRequests {
  private InferRequests() {}

  /** Request {@code k} of every entry of {@code workload}, ids {@code "0"} upwards. */
  static ModelInferRequest[] pool(Workload workload, boolean raw) {
    requireNonNull(workload, "workload");
    ModelInferRequest[] pool = new ModelInferRequest[workload.size()];
    for (int k = 0; k < pool.length; k++) {
      ModelInput in = workload.input(k);
      pool[k] = build(in.model(), in.inputName(), Integer.toString(k), workload.batch(k), raw);
    }
    return pool;
  }

  /** One request carrying {@code rows} as a {@code [rows, features]} FP32 tensor. */
  static ModelInferRequest build(String model, String inputName, String id, float[][] rows,
      boolean raw) {
    int features = rows[0].length;
    ModelInferRequest.InferInputTensor.Builder input =
        ModelInferRequest.InferInputTensor.newBuilder()
            .setName(inputName)
            .setDatatype("FP32")
            .addShape(rows.length)
            .addShape(features);
    ModelInferRequest.Builder request =
        ModelInferRequest.newBuilder().setModelName(model).setId(id);
    if (raw) {
      // OIP v2: raw tensors are little-endian, row-major, and the typed contents stay empty.
      ByteBuffer bytes = ByteBuffer.allocate(rows.length * features * Float.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN);
      for (float[] row : rows) {
        for (float v : row) {
          bytes.putFloat(v);
        }
      }
      bytes.flip();
      request.addInputs(input).addRawInputContents(ByteString.copyFrom(bytes));
    } else {
      InferTensorContents.Builder contents = InferTensorContents.newBuilder();
      for (float[] row : rows) {
        for (float v : row) {
          contents.addFp32Contents(v);
        }
      }
      request.addInputs(input.setContents(contents));
    }
    return request.build();
  }
}
