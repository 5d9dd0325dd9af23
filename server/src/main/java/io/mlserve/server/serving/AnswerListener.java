package io.mlserve.server.serving;

import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;

/**
 * Told about every request the serving entry point finished (answered or failed after a version
 * took it), e.g. to keep the record that outcome feedback joins and the per-arm statistics.
 * Called on the thread that completed the request (usually a batcher worker): implementations
 * must be thread-safe, cheap and must not block.
 */
@FunctionalInterface
public interface AnswerListener {
  /** Ignores everything. */
  AnswerListener NONE = (model, ctx, splitRouted, outputs, error, latencyNanos) -> {};

  /**
   * @param ctx the request's context, its request id set
   * @param splitRouted whether the model's traffic split chose the version
   * @param outputs the outputs, or null when {@code error} is set
   * @param error the failure, or null
   * @param latencyNanos from entering the service to the answer
   */
  void onAnswer(ServedModel model, RequestContext ctx, boolean splitRouted, Tensor[] outputs,
      Throwable error, long latencyNanos);
}
