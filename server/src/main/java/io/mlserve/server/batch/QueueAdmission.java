package io.mlserve.server.batch;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.core.InferenceException.Kind;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The time bound of a batcher's queue: what a new request would wait (the oldest queued
 * request's age when longer, else the batches ahead of it times the recent time per batch, over
 * the workers), whether that is too long to admit it, and the refusals a full or overloaded
 * queue answers with ({@code RESOURCE_EXHAUSTED}, each saying what was exceeded).
 *
 * <p>Two limits: a burst, or a closed loop of clients, may queue up to the queue timeout
 * ({@code queue_timeout_us}, default 1 s); under {@link SustainedOverload} (a queue that stopped
 * emptying and keeps growing) a new request is admitted only while its estimated wait is under
 * {@link #STANDING_BATCHES} recent batch times (at least {@link #STANDING_FLOOR_NANOS}, at most
 * the queue timeout). A standing queue longer than that adds latency and no throughput: the
 * workers have their next batches ready either way.
 *
 * <p>Not thread-safe: the {@link DynamicBatcher} calls it holding its lock.
 */
final class QueueAdmission {
  /** A standing queue admits a wait of at most this many recent batch times... */
  static final long STANDING_BATCHES = 4;
  /** ...but never less than this (timer and scheduling noise on a busy host). */
  static final long STANDING_FLOOR_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final String modelLabel;
  private final BatchSettings settings;
  private int workers;
  /** Average time per batch over about the last 8 batches; 0 before the first. */
  private long batchNanosAverage;
  private final SustainedOverload overload = new SustainedOverload();

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
    overload.arrived(now, queued, batchNanosAverage);
    if (queued >= settings.queueCapacity()) {
      overload.refusedAtBound(now, batchNanosAverage);
      throw new InferenceException(Kind.RESOURCE_EXHAUSTED, "queue of model " + modelLabel
          + " is full (" + settings.queueCapacity() + " requests); retry later");
    }
    if (queued == 0) {
      return;
    }
    long wait = estimatedWaitNanos(queued, queuedRows, now - oldestEnqueuedNanos, rows);
    if (wait >= settings.queueTimeoutNanos()) {
      overload.refusedAtBound(now, batchNanosAverage);
      throw new InferenceException(Kind.RESOURCE_EXHAUSTED, "model " + modelLabel
          + " is overloaded: a new request would wait about "
          + TimeUnit.NANOSECONDS.toMillis(wait) + " ms in its queue, the limit is "
          + TimeUnit.NANOSECONDS.toMillis(settings.queueTimeoutNanos())
          + " ms (queue_timeout_us); retry later");
    }
    if (overload.sustained(now) && wait >= standingLimitNanos()) {
      overload.refusedAt(now, batchNanosAverage);
      throw new InferenceException(Kind.RESOURCE_EXHAUSTED, "model " + modelLabel
          + " is overloaded (its queue keeps growing): a new request would"
          + " wait about " + millis(wait) + " ms, the limit of a standing queue is "
          + millis(standingLimitNanos()) + " ms (" + STANDING_BATCHES
          + " recent batch times, at least " + TimeUnit.NANOSECONDS.toMillis(STANDING_FLOOR_NANOS)
          + " ms); retry later");
    }
  }

  /** The longest wait a standing queue admits: a few recent batch times, bounded both ways. */
  private long standingLimitNanos() {
    long batches = batchNanosAverage > Long.MAX_VALUE / STANDING_BATCHES
        ? Long.MAX_VALUE : STANDING_BATCHES * batchNanosAverage;
    return Math.min(settings.queueTimeoutNanos(), Math.max(STANDING_FLOOR_NANOS, batches));
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
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
