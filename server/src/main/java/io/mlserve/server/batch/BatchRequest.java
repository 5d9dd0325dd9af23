package io.mlserve.server.batch;

import io.mlserve.server.tensor.Tensor;
import java.util.concurrent.CompletableFuture;

/**
 * One queued request: its inputs in signature order, its row count, when it was queued and
 * when it expires, and the future its outputs complete. Fields are final; the future is the
 * only thing that changes and it is thread-safe.
 */
final class BatchRequest {
  final Tensor[] inputs;
  final int rows;
  final long enqueuedNanos;
  /** {@link Long#MAX_VALUE} when the request has no deadline. */
  final long deadlineNanos;
  final CompletableFuture<BatchResult> result = new CompletableFuture<>();

  BatchRequest(Tensor[] inputs, int rows, long enqueuedNanos, long deadlineNanos) {
    this.inputs = inputs;
    this.rows = rows;
    this.enqueuedNanos = enqueuedNanos;
    this.deadlineNanos = deadlineNanos;
  }
}
