package io.mlserve.server.batch;

/**
 * Observes the batcher for metrics. Called on worker threads, outside the batcher's lock;
 * implementations must be thread-safe, fast and must not throw.
 */
public interface BatchListener {
  /** A listener that records nothing. */
  BatchListener NONE = new BatchListener() {};

  /**
   * One request finished (successfully or not).
   *
   * @param queueNanos time from enqueue to the start of its batch's compute
   * @param computeNanos the engine's time for the whole batch (0 when it never ran)
   * @param ok whether the request got outputs
   */
  default void onRequestDone(long queueNanos, long computeNanos, boolean ok) {}

  /**
   * Every request of a batch that ran got its outputs: called once per batch, before their
   * futures complete, with each request's queue time (enqueue to the start of the batch) in
   * {@code queueNanos[0..count)} and the batch's engine time. The default reports each request
   * through {@link #onRequestDone}; a listener may record the batch at once instead.
   */
  default void onBatchDone(long[] queueNanos, int count, long computeNanos) {
    for (int i = 0; i < count; i++) {
      onRequestDone(queueNanos[i], computeNanos, true);
    }
  }

  /** A batch ran on the engine with this many requests and rows. */
  default void onBatch(int requests, int rows, long computeNanos) {}

  /**
   * A batch ran on the engine and every request in it got outputs: the time to join the
   * requests' inputs into the batch, the engine call, and splitting the outputs per request
   * (a lone request runs as it came: 0 for joining and splitting).
   */
  default void onExecution(int requests, int rows, long inputNanos, long inferNanos,
      long outputNanos) {}

  /**
   * A request was refused at once: the queue was full, or its estimated wait reached the queue
   * timeout.
   */
  default void onRejected() {}

  /** A queued request waited out the queue timeout and was dropped before inference. */
  default void onQueueTimeout() {}

  /** A request expired in the queue and was dropped before inference. */
  default void onExpired() {}
}
