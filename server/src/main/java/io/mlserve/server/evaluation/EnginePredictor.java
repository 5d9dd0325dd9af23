package io.mlserve.server.evaluation;

import io.mlserve.dataset.DatasetBatch;
import io.mlserve.dataset.InputArray;
import io.mlserve.evaluation.Predictor;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.model.ModelLoadException;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.tensor.Tensors;
import io.mlserve.store.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs dataset batches through the real engine for an evaluation: each version on an instance of
 * its own that {@code instances} loads once (the server passes
 * {@code ModelLoader.loadBackground}: a dedicated batcher at background priority with its own
 * metrics, so an evaluation neither counts as the version's traffic nor queues beside it), the
 * batch cut into chunks of the instance's max batch size, {@link #QUEUED_CHUNKS} of them queued at
 * a time so they run back to back, the scored output converted to doubles. {@link #close} closes the instances it
 * loaded.
 *
 * <p>The scored output is the one named {@code outputName}, or the signature's first output.
 * This class is thread-safe: instances are loaded under a lock; chunks of concurrent calls
 * queue on the instances' batchers.
 */
public final class EnginePredictor implements Predictor, AutoCloseable {
  /** Loads a dedicated instance of one version. */
  public interface Instances {
    ServedModel load(String version) throws ModelLoadException;
  }

  private final Instances instances;
  private final String outputName;
  private final Ticker ticker;
  private final long timeoutNanos;
  private final Map<String, ServedModel> loaded = new HashMap<>();
  private boolean closed;

  /**
   * @param outputName the output scored, or null for the signature's first
   * @param timeout how long one batch may take, all chunks together
   */
  public EnginePredictor(Instances instances, String outputName, Ticker ticker,
      Duration timeout) {
    this.instances = Objects.requireNonNull(instances, "instances");
    this.outputName = outputName;
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.timeoutNanos = Objects.requireNonNull(timeout, "timeout").toNanos();
  }

  @Override
  public Prediction predict(String version, DatasetBatch batch) throws Exception {
    ServedModel m = instance(version);
    int scored = scoredIndex(m);
    Tensor out = outputs(m, batch, ticker, timeoutNanos, QUEUED_CHUNKS)[scored];
    if (!out.dataType().isFixedSize()) {
      throw new IllegalArgumentException(m.label() + ": output '"
          + m.manifest().signature().outputs().get(scored).name() + "' holds BYTES (strings); "
          + "an evaluation scores a numeric output: name one of " + String.join(", ",
              m.manifest().signature().outputs().stream().map(TensorSpec::name).toList()));
    }
    return new Prediction(doubles(out), width(out, batch.rows()));
  }

  /**
   * Chunks an evaluation keeps queued at once: one running, one waiting, so they run back to
   * back while none waits behind a long queue (on a busy host, the last of 16 chunks queued at
   * once waited past the instance's 1 s queue timeout).
   */
  public static final int QUEUED_CHUNKS = 2;

  /**
   * Every output of {@code m} for the batch's rows, in signature order: the batch cut into
   * chunks of the instance's max batch size, at most {@code window} chunks queued at a time (so
   * they run back to back, and none waits in the queue behind more than {@code window - 1}
   * others: the instance's queue timeout then bounds a chunk's compute time, not the batch's),
   * each output's chunks concatenated.
   *
   * @param timeoutNanos how long the batch may take, all chunks together
   * @param window chunks queued at most at once, at least 1
   * @throws InferenceException (unavailable) when it takes longer
   */
  public static Tensor[] outputs(ServedModel m, DatasetBatch batch, Ticker ticker,
      long timeoutNanos, int window) throws Exception {
    List<Tensor> inputs = new ArrayList<>(batch.inputs().size());
    for (InputArray a : batch.inputs()) {
      inputs.add(new Tensor(a.name(), DataType.parse(a.datatype()), a.shape(), a.data()));
    }
    int rows = batch.rows();
    int chunkRows = Math.max(1, m.maxBatchSize());
    int chunks = (rows + chunkRows - 1) / chunkRows;
    int[] sizes = new int[chunks];
    for (int i = 0; i < chunks; i++) {
      sizes[i] = Math.min(chunkRows, rows - i * chunkRows);
    }
    List<Tensor[]> perInput = new ArrayList<>(inputs.size());
    for (Tensor t : inputs) {
      perInput.add(chunks == 1 ? new Tensor[] {t} : Tensors.split(t, sizes));
    }
    long deadline = ticker.nanoTime() + timeoutNanos;
    List<CompletableFuture<Tensor[]>> answers = new ArrayList<>(chunks);
    try {
      List<Tensor[]> outs = new ArrayList<>(chunks);
      for (int c = 0; c < chunks; c++) {
        if (c - outs.size() >= window) {
          outs.add(await(answers.get(outs.size()), deadline, ticker));
        }
        List<Tensor> chunk = new ArrayList<>(inputs.size());
        for (Tensor[] parts : perInput) {
          chunk.add(parts[c]);
        }
        answers.add(m.infer(chunk, deadline, "evaluation"));
      }
      while (outs.size() < chunks) {
        outs.add(await(answers.get(outs.size()), deadline, ticker));
      }
      Tensor[] joined = new Tensor[outs.get(0).length];
      for (int o = 0; o < joined.length; o++) {
        List<Tensor> parts = new ArrayList<>(chunks);
        for (Tensor[] out : outs) {
          parts.add(out[o]);
        }
        joined[o] = parts.size() == 1 ? parts.get(0) : Tensors.concat(parts.get(0).name(), parts);
      }
      return joined;
    } catch (java.util.concurrent.TimeoutException e) {
      throw InferenceException.unavailable(m.label() + ": a batch of " + rows
          + " rows did not finish within " + Duration.ofNanos(timeoutNanos).toSeconds() + " s");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      answers.forEach(a -> a.cancel(false));
    }
  }

  private static Tensor[] await(CompletableFuture<Tensor[]> answer, long deadline,
      Ticker ticker) throws Exception {
    return answer.get(Math.max(0, deadline - ticker.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private synchronized ServedModel instance(String version) throws ModelLoadException {
    if (closed) {
      throw new IllegalStateException("the evaluation ended");
    }
    ServedModel m = loaded.get(version);
    if (m == null) {
      m = instances.load(version);
      loaded.put(version, m);
    }
    return m;
  }

  private int scoredIndex(ServedModel m) {
    List<TensorSpec> outputs = m.manifest().signature().outputs();
    if (outputName == null) {
      return 0;
    }
    for (int i = 0; i < outputs.size(); i++) {
      if (outputs.get(i).name().equals(outputName)) {
        return i;
      }
    }
    List<String> names = outputs.stream().map(TensorSpec::name).toList();
    throw new IllegalArgumentException(m.label() + " has no output '" + outputName
        + "' (outputs: " + String.join(", ", names) + ")");
  }

  private static int width(Tensor out, int rows) {
    long elements = Tensor.elementCount(out.shape());
    if (rows == 0 || elements % rows != 0) {
      throw new IllegalStateException("output '" + out.name() + "' has " + elements
          + " values for " + rows + " rows");
    }
    return Math.toIntExact(elements / rows);
  }

  /** The tensor's elements as doubles, in bulk for the common types. */
  public static double[] doubles(Tensor t) {
    ByteBuffer b = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
    int n = Math.toIntExact(Tensor.elementCount(t.shape()));
    double[] out = new double[n];
    switch (t.dataType()) {
      case FP32 -> {
        var f = b.asFloatBuffer();
        for (int i = 0; i < n; i++) {
          out[i] = f.get(i);
        }
      }
      case FP64 -> b.asDoubleBuffer().get(out);
      case INT64 -> {
        var l = b.asLongBuffer();
        for (int i = 0; i < n; i++) {
          out[i] = l.get(i);
        }
      }
      case INT32 -> {
        var in = b.asIntBuffer();
        for (int i = 0; i < n; i++) {
          out[i] = in.get(i);
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          out[i] = Tensors.elementAsDouble(t, i);
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    List<ServedModel> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayList<>(loaded.values());
      loaded.clear();
    }
    toClose.forEach(ServedModel::close);
  }
}
