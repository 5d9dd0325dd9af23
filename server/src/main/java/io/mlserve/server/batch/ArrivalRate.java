package io.mlserve.server.batch;

/**
 * The rate at which rows reach a batcher's queue, over the last complete window of
 * {@link #WINDOW_NANOS}: what {@link SmallBatchHold} reads to judge whether more rows will
 * come while a batch waits. Counts in fixed windows, so recording allocates nothing, and a quiet
 * spell reads as a rate of 0 once a whole window passed without arrivals (a request after a pause
 * is never expected to have company).
 *
 * <p>Not thread-safe: the batcher calls it holding its lock.
 */
final class ArrivalRate {
  /** The window the rate is counted over. */
  static final long WINDOW_NANOS = 10_000_000L;

  private long windowStart;
  private boolean started;
  // rows that arrived since windowStart
  private long rowsNow;
  // rows that arrived in the window before, or 0 when it did not end just before this one
  private long rowsBefore;

  /** Counts {@code rows} arriving at {@code now}. */
  void arrived(long now, int rows) {
    roll(now);
    rowsNow += rows;
  }

  /** The rows expected to arrive within {@code nanos} after {@code now}, at the recent rate. */
  double expectedRows(long now, long nanos) {
    roll(now);
    return (double) rowsBefore * nanos / WINDOW_NANOS;
  }

  private void roll(long now) {
    if (!started) {
      started = true;
      windowStart = now;
      return;
    }
    long elapsed = now - windowStart;
    if (elapsed < WINDOW_NANOS) {
      return;
    }
    rowsBefore = elapsed < 2 * WINDOW_NANOS ? rowsNow : 0;
    rowsNow = 0;
    windowStart = now - elapsed % WINDOW_NANOS;
  }
}
