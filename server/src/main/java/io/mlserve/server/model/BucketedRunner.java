package io.mlserve.server.model;

import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.tensor.Tensors;
import java.util.Arrays;
import java.util.List;

/**
 * Runs every batch at one of a few fixed sizes: rows are padded with zeros (empty strings for
 * {@code BYTES} inputs) up to the next power of two (capped at the max batch size) and the
 * outputs cut back to the real rows.
 *
 * <p>Why: TorchScript's profiling executor specialises and re-optimises its graph for each input
 * shape it meets, which takes long enough to stall a batch. With free batch sizes a freshly
 * loaded version meets new shapes while serving (latency spikes after every reload); with
 * buckets it meets exactly the shapes its warm-up ran. Padding is nearly free on a small model
 * (about the same cost at batch 1 and 64), not on a compute-heavy one (33 rows run as 64 cost
 * 1.7 times 33 rows alone): the loader pads only where the engine asks
 * ({@link io.mlserve.server.engine.LoadedModel#paddedBatches()}; TorchScript runs free sizes with
 * its graph optimizer off, the default).
 *
 * <p>Not thread-safe, like the runner it wraps.
 */
final class BucketedRunner implements ModelRunner {
  private final ModelRunner inner;
  private final int maxBatch;

  BucketedRunner(ModelRunner inner, int maxBatch) {
    this.inner = inner;
    this.maxBatch = maxBatch;
  }

  /** The size a batch of {@code rows} runs at. */
  static int bucket(int rows, int maxBatch) {
    int b = Integer.highestOneBit(Math.max(1, rows));
    if (b < rows) {
      b <<= 1;
    }
    return Math.max(rows, Math.min(b, maxBatch));
  }

  /** Every size a batch can run at, ascending: the warm-up runs each. */
  static int[] buckets(int maxBatch) {
    return java.util.stream.IntStream.rangeClosed(1, maxBatch)
        .map(r -> bucket(r, maxBatch)).distinct().toArray();
  }

  @Override
  public Tensor[] predict(Tensor[] inputs) throws Exception {
    int rows = (int) inputs[0].dim(0);
    int size = bucket(rows, maxBatch);
    if (size == rows) {
      return inner.predict(inputs);
    }
    Tensor[] padded = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor t = inputs[i];
      long[] shape = t.shape();
      shape[0] = size - rows;
      padded[i] = Tensors.concat(t.name(),
          List.of(t, Tensors.zeros(t.name(), t.dataType(), shape)));
    }
    Tensor[] out = inner.predict(padded);
    Tensor[] cut = new Tensor[out.length];
    for (int i = 0; i < out.length; i++) {
      cut[i] = out[i].rank() > 0 && out[i].dim(0) == size
          ? Tensors.split(out[i], new int[] {rows, size - rows})[0]
          : out[i];
    }
    return cut;
  }

  @Override
  public void close() {
    inner.close();
  }

  @Override
  public String toString() {
    return "BucketedRunner" + Arrays.toString(buckets(maxBatch));
  }
}
