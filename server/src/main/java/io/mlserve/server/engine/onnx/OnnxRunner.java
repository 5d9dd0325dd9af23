package io.mlserve.server.engine.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.mlserve.server.engine.EngineArtifacts;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.BytesElements;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs batches on one ONNX Runtime session. Inputs are bound to the signature's input names by
 * position; fixed-size inputs go through direct buffers that this runner keeps and grows (ONNX
 * Runtime reads them in place), BYTES inputs as strings. Every native tensor a call creates, the
 * inputs and the run's results, is closed before the call returns, so a request leaves no native
 * memory behind; outputs are copied to heap bytes first.
 *
 * <p>Not thread-safe: one per batcher worker.
 */
final class OnnxRunner implements ModelRunner {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final List<String> inputNames;
  private final List<String> outputNames;
  private final Set<String> requested;
  private final ByteBuffer[] scratch;

  OnnxRunner(OrtEnvironment env, OrtSession session, Signature signature) {
    this.env = env;
    this.session = session;
    this.inputNames = signature.inputs().stream().map(TensorSpec::name).toList();
    this.outputNames = signature.outputs().stream().map(TensorSpec::name).toList();
    this.requested = new LinkedHashSet<>(outputNames);
    this.scratch = new ByteBuffer[inputNames.size()];
  }

  @Override
  public Tensor[] predict(Tensor[] inputs) throws Exception {
    if (inputs.length != inputNames.size()) {
      throw new IllegalArgumentException("the model takes " + inputNames.size()
          + " inputs, got " + inputs.length);
    }
    Map<String, OnnxTensor> bound = new LinkedHashMap<>();
    try {
      for (int i = 0; i < inputs.length; i++) {
        bound.put(inputNames.get(i), toOnnx(i, inputs[i]));
      }
      try (OrtSession.Result result = session.run(bound, requested)) {
        Tensor[] out = new Tensor[outputNames.size()];
        for (int i = 0; i < out.length; i++) {
          String name = outputNames.get(i);
          OnnxValue value = result.get(name).orElseThrow(
              () -> new IllegalStateException("the model returned no output '" + name + "'"));
          out[i] = fromOnnx(name, value);
        }
        return out;
      }
    } finally {
      bound.values().forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor toOnnx(int index, Tensor t) throws OrtException {
    if (t.dataType() == DataType.BYTES) {
      List<byte[]> elements = BytesElements.decode(t);
      String[] strings = new String[elements.size()];
      for (int i = 0; i < strings.length; i++) {
        strings[i] = new String(elements.get(i), StandardCharsets.UTF_8);
      }
      return OnnxTensor.createTensor(env, strings, t.shape());
    }
    ByteBuffer buf = EngineArtifacts.fill(scratch[index], t.data());
    scratch[index] = buf;
    return OnnxTensor.createTensor(env, buf, t.shape(), OnnxTypes.javaType(t.dataType()));
  }

  private static Tensor fromOnnx(String name, OnnxValue value) throws OrtException {
    if (!(value instanceof OnnxTensor tensor)) {
      throw new IllegalStateException("output '" + name + "' is not a tensor");
    }
    TensorInfo info = tensor.getInfo();
    long[] shape = info.getShape();
    DataType type = OnnxTypes.fromOnnx(info.onnxType).orElseThrow(
        () -> new IllegalStateException("output '" + name + "' has unsupported element type "
            + OnnxTypes.onnxName(info.onnxType)));
    if (type == DataType.BYTES) {
      List<String> strings = new ArrayList<>();
      flatten(tensor.getValue(), strings);
      return Tensor.ofStrings(name, shape, strings);
    }
    ByteBuffer buf = tensor.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    byte[] bytes = new byte[buf.remaining()];
    buf.get(bytes);
    return new Tensor(name, type, shape, bytes);
  }

  /** Strings of a (nested) Java array in row-major order. */
  private static void flatten(Object value, List<String> into) {
    if (value instanceof String s) {
      into.add(s);
      return;
    }
    int n = Array.getLength(value);
    for (int i = 0; i < n; i++) {
      flatten(Array.get(value, i), into);
    }
  }

  @Override
  public void close() {
    closeQuietly(session);
  }

  static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      // The session is gone either way; nothing a caller could do.
    }
  }
}
