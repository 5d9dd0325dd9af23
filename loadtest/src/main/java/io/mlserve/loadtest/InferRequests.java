package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds the request messages a run sends, once, before the run starts, so that the hot path only
 * picks one from a pool. Each request is one FP32 row of shape {@code [1, features]} whose values
 * are pseudo-random but fixed by the seed: two runs with the same spec send the same bytes.
 *
 * <p>This class is thread-safe: it has no state, and protobuf messages are immutable.
 */
final class InferRequests {
  /** Distinct rows in a pool; enough that a server cannot get away with caching one answer. */
  static final int POOL_SIZE = 64;

  private static final long SEED = 20240601L;

  private InferRequests() {}

  /** The pool of {@value #POOL_SIZE} requests for {@code spec}, ids {@code "0"} upwards. */
  static List<ModelInferRequest> pool(RunSpec spec) {
    requireNonNull(spec, "spec");
    SplittableRandom random = new SplittableRandom(SEED);
    ModelInferRequest[] pool = new ModelInferRequest[POOL_SIZE];
    for (int i = 0; i < POOL_SIZE; i++) {
      pool[i] = build(spec, Integer.toString(i), row(random, spec.features()));
    }
    return List.of(pool);
  }

  /** One request carrying {@code values} as a {@code [1, values.length]} FP32 row. */
  static ModelInferRequest build(RunSpec spec, String id, float[] values) {
    ModelInferRequest.InferInputTensor.Builder input =
        ModelInferRequest.InferInputTensor.newBuilder()
            .setName(spec.inputName())
            .setDatatype("FP32")
            .addShape(1)
            .addShape(values.length);
    ModelInferRequest.Builder request =
        ModelInferRequest.newBuilder().setModelName(spec.model()).setId(id);
    if (spec.raw()) {
      // OIP v2: raw tensors are little-endian, row-major, and the typed contents stay empty.
      ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values) {
        bytes.putFloat(v);
      }
      bytes.flip();
      request.addInputs(input).addRawInputContents(ByteString.copyFrom(bytes));
    } else {
      InferTensorContents.Builder contents = InferTensorContents.newBuilder();
      for (float v : values) {
        contents.addFp32Contents(v);
      }
      request.addInputs(input.setContents(contents));
    }
    return request.build();
  }

  /** Values shaped like the demo's forward curves: around 60, spread over [45, 75). */
  private static float[] row(SplittableRandom random, int features) {
    float[] values = new float[features];
    for (int i = 0; i < features; i++) {
      values[i] = (float) (45.0 + 30.0 * random.nextDouble());
    }
    return values;
  }
}
