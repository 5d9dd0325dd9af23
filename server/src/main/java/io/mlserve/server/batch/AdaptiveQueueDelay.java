package io.mlserve.server.batch;

/**
 * The queue delay a batcher uses when its manifest sets none ({@code max_queue_delay_us: 0}):
 * Triton's rule, wait only while a larger batch can still form, with the wait learned instead
 * of configured.
 *
 * <p>A worker ready to run {@code q} queued rows at once, on a model whose batch costs
 * {@code fixed + perRow * rows}, while rows arrive at rate {@code r}, delivers more rows per unit
 * of its time by waiting exactly when {@code q < r * fixed}: waiting {@code w} costs {@code w}
 * and gathers {@code r * w} rows that would otherwise pay another {@code fixed} in a batch of
 * their own. So the head of the queue waits while fewer rows are queued than arrive during one
 * batch's fixed time, for at most that fixed time (the wait ends at once when the queue reaches
 * that many rows). Both figures are learned: {@link BatchCostModel} from the batches run,
 * {@link ArrivalRate} from the requests queued. Hence:
 * <ul>
 *   <li>a model whose time is proportional to its rows (fixed part 0) never waits;
 *   <li>a lone request never waits: the rate must promise at least one more row within the
 *       fixed time, and after a quiet spell the rate reads 0;
 *   <li>until both are learned nothing waits; no wait is longer than one batch's fixed time,
 *       nor runs into the head request's deadline.
 * </ul>
 *
 * <p>Not thread-safe: the batcher calls it holding its lock.
 */
final class AdaptiveQueueDelay {
  private final int maxBatchSize;
  private final ArrivalRate arrivals = new ArrivalRate();
  private final BatchCostModel cost = new BatchCostModel();

  AdaptiveQueueDelay(int maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
  }

  /** A request of {@code rows} rows was queued at {@code now}. */
  void arrived(long now, int rows) {
    arrivals.arrived(now, rows);
  }

  /** A batch of {@code rows} rows ran on the engine in {@code tookNanos}. */
  void batchRan(int rows, long tookNanos) {
    cost.batchRan(rows, tookNanos);
  }

  /**
   * How much longer the head of the queue waits for company at {@code now}: 0 to run now.
   *
   * @param queuedRows the rows queued now (more than 0)
   * @param headEnqueuedNanos when the head request was queued
   * @param headDeadlineNanos the head request's deadline
   */
  long waitNanos(long now, long queuedRows, long headEnqueuedNanos, long headDeadlineNanos) {
    if (queuedRows >= maxBatchSize) {
      return 0;
    }
    long fixed = cost.fixedNanos();
    if (fixed == 0) {
      return 0;
    }
    long left = fixed - (now - headEnqueuedNanos);
    // the head must still make its deadline after the wait and a batch's fixed time
    if (left <= 0 || (headDeadlineNanos != Long.MAX_VALUE
        && headDeadlineNanos - now - left < 2 * fixed)) {
      return 0;
    }
    return queuedRows < arrivals.expectedRows(now, fixed) ? left : 0;
  }

  /** The learned fixed time per batch (0 while unknown). For diagnostics and tests. */
  long fixedNanos() {
    return cost.fixedNanos();
  }
}
