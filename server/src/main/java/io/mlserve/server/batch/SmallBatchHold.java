package io.mlserve.server.batch;

import java.util.List;

/**
 * Whether a free worker leaves the rows queued now to the next batch of a worker that is busy:
 * Triton's rule (wait only while a larger batch can still form and the model is compute-bound)
 * without a timer. A batcher with no configured queue delay ({@code max_queue_delay_us: 0}) asks
 * it before a worker takes a batch and before a submit wakes an idle worker.
 *
 * <p>A batch costs {@code fixed + perRow * rows} ({@link BatchCostModel}, learned from the batches
 * run) and rows arrive at a rate {@code r} ({@link ArrivalRate}). A free worker taking {@code q}
 * rows pays {@code fixed} for them; leaving them, they join a larger batch and that {@code fixed}
 * is saved. Leaving pays while {@code q < r * fixed}: fewer rows are queued than arrive within
 * one batch's fixed time. So the free worker leaves them while all of these hold:
 * <ul>
 *   <li>another batch is running (its worker takes the queue when it finishes: the hold ends
 *       then at the latest, with no timer), and no batch is full;
 *   <li>the model is compute-bound: its fixed time is learned and more than 0 (a model whose
 *       time is proportional to its rows never holds);
 *   <li>more rows are expected within one fixed time than are queued (the hold ends at once when
 *       that many have come: the submit that brings them wakes a worker);
 *   <li>the oldest queued request has room for two full batches before its deadline and its
 *       queue timeout.
 * </ul>
 * A lone request is never held: with no batch running there is nobody to leave it to, and
 * after a quiet spell the rate reads 0.
 *
 * <p>Not thread-safe: the batcher calls it holding its lock.
 */
final class SmallBatchHold {
  private static final long MIN_RECHECK_NANOS = 100_000;
  private final BatchSettings settings;
  private final boolean enabled;
  private final ArrivalRate arrivals = new ArrivalRate();
  private final BatchCostModel cost = new BatchCostModel();

  /**
   * @param fixedWorkers false when workers come and go (autoscaling), which disables the hold: a
   *     retiring worker does not take the queue it was left
   */
  SmallBatchHold(BatchSettings settings, boolean fixedWorkers) {
    this.settings = settings;
    this.enabled = fixedWorkers && settings.maxQueueDelayNanos() == 0
        && settings.maxBatchSize() > 1;
  }

  /** A request of {@code rows} rows was queued at {@code now}. */
  void arrived(long now, int rows) {
    if (enabled) {
      arrivals.arrived(now, rows);
    }
  }

  /** A batch ran on the engine in {@code tookNanos}. */
  void batchRan(List<BatchRequest> batch, long tookNanos) {
    if (enabled) {
      int rows = 0;
      for (BatchRequest r : batch) {
        rows += r.rows;
      }
      cost.batchRan(rows, tookNanos);
    }
  }

  /**
   * Whether a free worker leaves the queue to a busy one at {@code now}.
   *
   * @param queuedRows rows queued now
   * @param oldest the request queued longest, or null when the queue is empty
   * @param batchesRunning batches taken and not yet finished
   */
  boolean holds(long now, long queuedRows, BatchRequest oldest, int batchesRunning,
      boolean closed) {
    if (!enabled || closed || oldest == null || batchesRunning == 0
        || queuedRows >= settings.maxBatchSize()) {
      return false;
    }
    long fixed = cost.fixedNanos();
    if (fixed == 0 || queuedRows >= arrivals.expectedRows(now, fixed)) {
      return false;
    }
    long room = 2 * cost.batchNanos(settings.maxBatchSize());
    long timeoutLeft = settings.queueTimeoutNanos() - (now - oldest.enqueuedNanos);
    return timeoutLeft > room
        && (oldest.deadlineNanos == Long.MAX_VALUE || oldest.deadlineNanos - now > room);
  }

  /**
   * How long a free worker that leaves the queue to a busy one waits before it asks
   * {@link #holds} again (a wake-up from a submit or a finished batch comes sooner): one full
   * batch's learned time, half the room {@link #holds} requires, so a batch that stalls on the
   * busy worker holds the queued rows for at most about that long. Always positive.
   */
  long recheckNanos() {
    return Math.max(MIN_RECHECK_NANOS, cost.batchNanos(settings.maxBatchSize()));
  }

  /** The learned fixed time per batch (0 while unknown). For diagnostics and tests. */
  long fixedNanos() {
    return cost.fixedNanos();
  }
}
