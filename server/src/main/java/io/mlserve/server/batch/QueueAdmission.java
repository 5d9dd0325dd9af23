package io.mlserve.server.batch;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.core.InferenceException.Kind;
import java.util.concurrent.TimeUnit;

/**
 * The time bound of a batcher's queue: what a new request would wait (the oldest queued
 * request's age when longer, else the batches ahead of it times the recent time per batch, over
 * the workers), whether that is too long to admit it, and the refusals a full or overloaded
 * queue answers with ({@code RESOURCE_EXHAUSTED}, each saying what was exceeded).
 *
 * <p>Not thread-safe: the {@link DynamicBatcher} calls it holding its lock.
 */
final class QueueAdmission {
  private final String modelLabel;
  private final BatchSettings settings;
  private int workers;
  /** Average time per batch over about the last 8 batches; 0 before the first. */
  private long batchNanosAverage;

  QueueAdmission(String modelLabel, BatchSettings settings, int workers) {
    this.modelLabel = modelLabel;
    this.settings = settings;
    this.workers = workers;
  }

  /** The workers now, when the batcher scales. */
  void workers(int workers) {
    this.workers = workers;
  }

  /**
   * Refuses a request of {@code rows} rows arriving at {@code now}, or returns.
   *
   * @param queued requests in the queue now
   * @param queuedRows their rows
   * @param oldestEnqueuedNanos when the oldest queued request arrived ({@code now} when none)
   * @throws InferenceException RESOURCE_EXHAUSTED when the queue is full or the wait too long
   */
  void admit(int queued, long queuedRows, long oldestEnqueuedNanos, long now, int rows) {
    if (queued >= settings.queueCapacity()) {
      throw new InferenceException(Kind.RESOURCE_EXHAUSTED, "queue of model " + modelLabel
          + " is full (" + settings.queueCapacity() + " requests); retry later");
    }
    long wait = estimatedWaitNanos(queued, queuedRows, now - oldestEnqueuedNanos, rows);
    if (wait >= settings.queueTimeoutNanos()) {
      throw new InferenceException(Kind.RESOURCE_EXHAUSTED, "model " + modelLabel
          + " is overloaded: a new request would wait about "
          + TimeUnit.NANOSECONDS.toMillis(wait) + " ms in its queue, the limit is "
          + TimeUnit.NANOSECONDS.toMillis(settings.queueTimeoutNanos())
          + " ms (queue_timeout_us); retry later");
    }
  }

  /** Counts one batch that ran, taking {@code nanos}: an average that follows a slower engine. */
  void batchRan(long nanos) {
    long took = Math.max(1, nanos);
    batchNanosAverage = batchNanosAverage == 0 ? took
        : batchNanosAverage + (took - batchNanosAverage) / 8;
  }

  /** The failure of a request that waited {@code waitedNanos} in the queue, past its limit. */
  InferenceException queueTimeout(long waitedNanos) {
    return new InferenceException(Kind.RESOURCE_EXHAUSTED, "request waited "
        + TimeUnit.NANOSECONDS.toMillis(waitedNanos) + " ms in the queue of model " + modelLabel
        + ", longer than its " + TimeUnit.NANOSECONDS.toMillis(settings.queueTimeoutNanos())
        + " ms limit (queue_timeout_us); not run, retry later");
  }

  private long estimatedWaitNanos(int queued, long queuedRows, long headAge, int rows) {
    if (queued == 0 || batchNanosAverage == 0) {
      return queued == 0 ? 0 : headAge;
    }
    int maxBatch = settings.maxBatchSize();
    long batchesAhead = (queuedRows + rows + maxBatch - 1) / maxBatch;
    long estimate = batchNanosAverage > Long.MAX_VALUE / batchesAhead
        ? Long.MAX_VALUE : batchesAhead * batchNanosAverage / workers;
    return Math.max(headAge, estimate);
  }
}
