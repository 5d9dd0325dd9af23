package io.mlserve.server.batch;

/**
 * Running time integrals of a batcher's load: worker time (workers × nanoseconds), busy worker
 * time (workers running a batch × nanoseconds) and queued time (requests waiting × nanoseconds),
 * updated whenever one of the counts changes. Between two changes the counts hold, so the
 * integrals are exact however rarely anyone looks: a worker that finds the queue just emptied
 * sees the time the queue was full counted all the same.
 *
 * <p>A change stamped earlier than the last one (threads read the clock before they take the
 * batcher's lock) counts as happening at the last one. The integrals are doubles: at 64 workers
 * and 10^5 queued requests they keep nanosecond-scale precision over the differences a window
 * takes for years.
 *
 * <p>Not thread-safe: the batcher calls it under its lock.
 */
final class LoadIntegral {
  /** The integrals at one instant. */
  record Totals(long nanos, double workerNanos, double busyNanos, double queuedNanos) {
    /** The load between {@code earlier} and this instant. */
    Load since(Totals earlier) {
      long span = nanos - earlier.nanos;
      double workers = workerNanos - earlier.workerNanos;
      return new Load(span, workers > 0 ? (busyNanos - earlier.busyNanos) / workers : 0,
          span > 0 ? (queuedNanos - earlier.queuedNanos) / span : 0);
    }
  }

  private boolean begun;
  private long last;
  private int workers;
  private int busy;
  private int queued;
  private double workerNanos;
  private double busyNanos;
  private double queuedNanos;

  /** Whether any counts were given yet: before that there is nothing to integrate. */
  boolean begun() {
    return begun;
  }

  /** The time of the last change, or of the first one; meaningful once {@link #begun}. */
  long lastChange() {
    return last;
  }

  /**
   * The counts are these from {@code now} on.
   *
   * @param workers workers now
   * @param busy workers running a batch now
   * @param queued requests waiting now
   */
  void set(long now, int workers, int busy, int queued) {
    if (!begun) {
      begun = true;
      last = now;
    } else if (now > last) {
      long dt = now - last;
      workerNanos += (double) this.workers * dt;
      busyNanos += (double) this.busy * dt;
      queuedNanos += (double) this.queued * dt;
      last = now;
    }
    this.workers = workers;
    this.busy = busy;
    this.queued = queued;
  }

  /**
   * The integrals at {@code t}, the counts holding since the last change ({@code t} before it
   * counts as the last change). Call once {@link #begun}.
   */
  Totals at(long t) {
    long dt = Math.max(0, t - last);
    return new Totals(Math.max(t, last), workerNanos + (double) workers * dt,
        busyNanos + (double) busy * dt, queuedNanos + (double) queued * dt);
  }
}
