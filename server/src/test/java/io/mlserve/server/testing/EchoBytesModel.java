package io.mlserve.server.testing;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.BytesElements;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A fake model "echo" with a string input and a string output, loaded through the real loader
 * (validator, warm-up and golden check, bucketed padding, batcher): input {@code text} BYTES
 * [-1]; outputs {@code label} BYTES [-1], each element the input's bytes followed by {@code !}
 * (the element {@code raw} answers the single byte 0xFF, which is not UTF-8), and {@code length}
 * INT64 [-1], each input element's byte length. Records the row count of every batch it runs.
 * Thread-safe.
 */
public final class EchoBytesModel {
  public static final String NAME = "echo";
  private static final byte[] NOT_UTF8 = {(byte) 0xFF};

  /** The rows of each batch the engine ran, warm-up included. */
  public final List<Long> batchRows = new CopyOnWriteArrayList<>();
  private final ModelLoader loader;

  public EchoBytesModel() {
    loader = new ModelLoader(List.of(new FakeEngine("echo-bytes", Runner::new)), Ticker.system(), Function.identity(),
        new MetricsRegistry(), Telemetry.disabled());
  }

  /** The manifest of version {@code version}, batching up to {@code maxBatch} rows. */
  public static Manifest manifest(String version, int maxBatch) {
    return new Manifest(NAME, version, "echo-bytes", "none", "fake", null, null,
        new Signature(List.of(new TensorSpec("text", "BYTES", List.of(-1L))),
            List.of(new TensorSpec("label", "BYTES", List.of(-1L)),
                new TensorSpec("length", "INT64", List.of(-1L)))),
        new ServingConfig(maxBatch, 0, 64, 1, "cpu", 1), Map.of(), Map.of(), "echo", null);
  }

  /** Loads a version from {@code dir} (where an {@code examples.json} may sit). */
  public ServedModel load(Path dir, String version, int maxBatch) throws Exception {
    return loader.load(dir, manifest(version, maxBatch));
  }

  /** The answer for one element. */
  public static byte[] echo(byte[] in) {
    if (new String(in, StandardCharsets.UTF_8).equals("raw")) {
      return NOT_UTF8;
    }
    byte[] out = new byte[in.length + 1];
    System.arraycopy(in, 0, out, 0, in.length);
    out[in.length] = '!';
    return out;
  }

  private final class Runner implements ModelRunner {
    @Override
    public Tensor[] predict(Tensor[] inputs) {
      Tensor text = inputs[0];
      if (text.dataType() != DataType.BYTES) {
        throw new IllegalStateException("expected BYTES, got " + text.dataType());
      }
      batchRows.add(text.dim(0));
      List<byte[]> in = BytesElements.decode(text);
      List<byte[]> out = new ArrayList<>(in.size());
      ByteBuffer lengths = ByteBuffer.allocate(8 * in.size()).order(ByteOrder.LITTLE_ENDIAN);
      for (byte[] e : in) {
        out.add(echo(e));
        lengths.putLong(e.length);
      }
      return new Tensor[] {
          new Tensor("label", DataType.BYTES, text.shape(), BytesElements.encode(out)),
          new Tensor("length", DataType.INT64, text.shape(), lengths.array())};
    }

    @Override
    public void close() {}
  }
}
