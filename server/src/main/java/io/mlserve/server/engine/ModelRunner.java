package io.mlserve.server.engine;

import io.mlserve.server.tensor.Tensor;

/**
 * One instance of a loaded model that runs whole batches: inputs in the signature's order,
 * each with the batch in dimension 0; outputs in the signature's order, each with the same
 * number of rows.
 *
 * <p>Not thread-safe: each batcher worker owns one runner and calls it from its own thread.
 */
public interface ModelRunner extends AutoCloseable {
  /**
   * Runs one batch.
   *
   * @throws Exception when the engine fails; the batcher fails only that batch's requests
   */
  Tensor[] predict(Tensor[] inputs) throws Exception;

  /** Releases the runner's native resources. */
  @Override
  void close();
}
