package io.mlserve.server.testing;

import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model that doubles every FP32 input element (output "y", same shape), records the row count
 * of each batch it ran, and can be told to fail its next call. Thread-safe.
 */
public final class FakeRunner implements ModelRunner {
  private final List<Long> batchRows = new ArrayList<>();
  private final AtomicInteger failNext = new AtomicInteger();
  private volatile boolean closed;

  @Override
  public synchronized Tensor[] predict(Tensor[] inputs) {
    batchRows.add(inputs[0].dim(0));
    if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new IllegalStateException("engine exploded");
    }
    float[] in = inputs[0].toFloats();
    float[] out = new float[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = in[i] * 2;
    }
    return new Tensor[] {Tensor.ofFloats("y", inputs[0].shape(), out)};
  }

  /**
   * A FakeRunner whose every call first advances {@code ticker} by {@code nanos}: a worker busy
   * for that long on the fake clock.
   */
  public static ModelRunner taking(FakeTicker ticker, long nanos) {
    FakeRunner fake = new FakeRunner();
    return new ModelRunner() {
      @Override
      public Tensor[] predict(Tensor[] inputs) {
        ticker.advance(nanos, TimeUnit.NANOSECONDS);
        return fake.predict(inputs);
      }

      @Override
      public void close() {
        fake.close();
      }
    };
  }

  /** Makes the next {@code n} calls throw. */
  public void failNext(int n) {
    failNext.set(n);
  }

  /** Rows of each batch run so far, in order. */
  public synchronized List<Long> batchRows() {
    return new ArrayList<>(batchRows);
  }

  @Override
  public void close() {
    closed = true;
  }

  public boolean closed() {
    return closed;
  }

  /** A request tensor "x" of {@code rows} rows and 2 columns, values base, base+1, ... */
  public static Tensor rows(int rows, float base) {
    float[] v = new float[rows * 2];
    for (int i = 0; i < v.length; i++) {
      v[i] = base + i;
    }
    return Tensor.ofFloats("x", new long[] {rows, 2}, v);
  }

  /** The floats of a tensor, little-endian. */
  public static float[] floats(Tensor t) {
    float[] f = new float[t.data().length / 4];
    ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    return f;
  }
}
