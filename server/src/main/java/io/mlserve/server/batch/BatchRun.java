package io.mlserve.server.batch;

import io.mlserve.errors.ClientText;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.core.InferenceException.Kind;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one batch that a {@link DynamicBatcher} worker took from the queue: drops the requests
 * that were cancelled or whose deadline passed, concatenates the rest along dimension 0, calls
 * the engine once, splits the outputs back per request and completes each request's future, with
 * the timings reported to the listener. An engine failure fails exactly the requests of this
 * batch. The queue, its policy and the workers stay in {@link DynamicBatcher}.
 *
 * <p>Stateless between calls; thread-safe (each call uses only the runner it is given).
 */
final class BatchRun {
  private final String modelLabel;
  private final Ticker ticker;
  private final BatchListener listener;

  BatchRun(String modelLabel, Ticker ticker, BatchListener listener) {
    this.modelLabel = modelLabel;
    this.ticker = ticker;
    this.listener = listener;
  }

  /**
   * Runs {@code batch} (taken from the queue, in arrival order) on {@code runner}.
   *
   * @return whether the engine was called (false when every request was cancelled or expired)
   */
  boolean run(List<BatchRequest> batch, ModelRunner runner) {
    long start = ticker.nanoTime();
    List<BatchRequest> live = new ArrayList<>(batch.size());
    for (BatchRequest r : batch) {
      if (r.result.isDone()) {
        continue; // cancelled by the caller
      }
      if (r.deadlineNanos <= start) {
        listener.onExpired();
        listener.onRequestDone(start - r.enqueuedNanos, 0, false);
        r.result.completeExceptionally(
            new InferenceException(
                Kind.DEADLINE_EXCEEDED,
                "deadline passed after " + TimeUnit.NANOSECONDS.toMicros(start - r.enqueuedNanos)
                    + " us in the queue of model " + modelLabel + "; not run"));
        continue;
      }
      live.add(r);
    }
    if (live.isEmpty()) {
      return false;
    }
    int[] rows = new int[live.size()];
    int totalRows = 0;
    for (int i = 0; i < rows.length; i++) {
      rows[i] = live.get(i).rows;
      totalRows += rows[i];
    }
    Tensor[][] perRequest;
    long computeNanos;
    long inputNanos = 0;
    long outputNanos = 0;
    int requests = live.size();
    try {
      if (live.size() == 1) {
        // A lone request runs as it came: no copy, and models without a batch dimension work.
        Tensor[] outputs = runner.predict(live.get(0).inputs);
        computeNanos = ticker.nanoTime() - start;
        checkOutputs(outputs);
        perRequest = new Tensor[][] {outputs};
      } else {
        Tensor[] inputs = concatInputs(live);
        inputNanos = ticker.nanoTime() - start;
        Tensor[] outputs = runner.predict(inputs);
        computeNanos = ticker.nanoTime() - start;
        perRequest = splitOutputs(outputs, rows, live.size());
        outputNanos = ticker.nanoTime() - start - computeNanos;
      }
    } catch (Throwable e) {
      long failedAfter = ticker.nanoTime() - start;
      listener.onBatch(live.size(), totalRows, failedAfter);
      InferenceException failure =
          e instanceof InferenceException ie
              ? ie
              : new InferenceException(
                  Kind.INTERNAL,
                  "model " + modelLabel + " failed on a batch of " + totalRows + " rows: "
                      + ClientText.scrub(e.getMessage(), "engine error"),
                  e);
      for (BatchRequest r : live) {
        listener.onRequestDone(start - r.enqueuedNanos, failedAfter, false);
        r.result.completeExceptionally(failure);
      }
      return true;
    }
    listener.onBatch(live.size(), totalRows, computeNanos);
    listener.onExecution(live.size(), totalRows, inputNanos, computeNanos - inputNanos,
        outputNanos);
    // Metrics once per batch (not per request), recorded before any answer leaves.
    long[] queued = new long[requests];
    for (int i = 0; i < requests; i++) {
      queued[i] = start - live.get(i).enqueuedNanos;
    }
    listener.onBatchDone(queued, requests, computeNanos);
    for (int i = 0; i < live.size(); i++) {
      BatchRequest r = live.get(i);
      r.result.complete(
          new BatchResult(perRequest[i], r.enqueuedNanos, start, computeNanos, totalRows,
              requests));
    }
    return true;
  }

  private static Tensor[] concatInputs(List<BatchRequest> live) {
    int inputCount = live.get(0).inputs.length;
    Tensor[] inputs = new Tensor[inputCount];
    List<Tensor> parts = new ArrayList<>(live.size());
    for (int k = 0; k < inputCount; k++) {
      parts.clear();
      for (BatchRequest r : live) {
        parts.add(r.inputs[k]);
      }
      inputs[k] = Tensors.concat(parts.get(0).name(), parts);
    }
    return inputs;
  }

  private void checkOutputs(Tensor[] outputs) {
    if (outputs == null || outputs.length == 0) {
      throw new IllegalStateException("model " + modelLabel + " returned no outputs");
    }
  }

  private Tensor[][] splitOutputs(Tensor[] outputs, int[] rows, int requests) {
    checkOutputs(outputs);
    Tensor[][] perRequest = new Tensor[requests][outputs.length];
    for (int k = 0; k < outputs.length; k++) {
      Tensor[] parts = Tensors.split(outputs[k], rows);
      for (int i = 0; i < requests; i++) {
        perRequest[i][k] = parts[i];
      }
    }
    return perRequest;
  }
}
