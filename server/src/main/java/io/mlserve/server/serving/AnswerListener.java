package io.mlserve.server.serving;

import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;
import java.util.List;

/**
 * Told about every request the serving entry point finished (answered or failed after a version
 * took it), just before the caller's future completes, e.g. to keep the record that outcome
 * feedback joins (so feedback sent the moment the answer arrives finds it), the per-arm
 * statistics, or to hand a shadow its copy.
 * Called on the thread that completed the request (usually a batcher worker): implementations
 * must be thread-safe, cheap and must not block.
 */
@FunctionalInterface
public interface AnswerListener {
  /** Ignores everything. */
  AnswerListener NONE = (model, ctx, splitRouted, inputs, outputs, error, latencyNanos) -> {};

  /**
   * @param ctx the request's context, its request id set
   * @param splitRouted whether the model's traffic split chose the version
   * @param inputs the request's inputs as the version took them (not copied; do not modify)
   * @param outputs the outputs, or null when {@code error} is set
   * @param error the failure, or null
   * @param latencyNanos from entering the service to the answer
   */
  void onAnswer(ServedModel model, RequestContext ctx, boolean splitRouted, List<Tensor> inputs,
      Tensor[] outputs,
      Throwable error, long latencyNanos);
}
