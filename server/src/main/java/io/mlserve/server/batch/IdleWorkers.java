package io.mlserve.server.batch;

import java.util.concurrent.Executor;
import java.util.concurrent.locks.Condition;

/**
 * The workers of a {@link DynamicBatcher} parked on an empty queue, and waking them. A submit
 * wakes an idle worker only when more workers are idle than already on their way, so a burst of
 * requests into an idle batcher costs one wake-up per idle worker at most, not one per request.
 * A submit from an event loop ({@link WakeDeferral}) may defer its wake-up to that loop, so the
 * requests of one read share it.
 *
 * <p>Not thread-safe: the batcher calls it holding the lock that {@code workQueued} belongs to.
 */
final class IdleWorkers {
  private final Condition workQueued;
  // workers parked now
  private int idle;
  // idle workers signalled and not yet awake
  private int wakeupsPending;
  // the event loop that will run the deferred wake-up, or null when none is due
  private Executor wakeDueOn;

  IdleWorkers(Condition workQueued) {
    this.workQueued = workQueued;
  }

  /** Workers parked now. */
  int count() {
    return idle;
  }

  /**
   * Parks the calling worker until it is woken, or for at most {@code timeoutNanos} when that is
   * positive.
   */
  void await(long timeoutNanos) throws InterruptedException {
    idle++;
    try {
      if (timeoutNanos > 0) {
        workQueued.awaitNanos(timeoutNanos);
      } else {
        workQueued.await();
      }
    } finally {
      idle--;
      if (wakeupsPending > 0) {
        wakeupsPending--;
      }
    }
  }

  /** Wakes one idle worker unless enough are already on their way. */
  void wakeOne() {
    if (wakeupsPending < idle) {
      wakeupsPending++;
      workQueued.signal();
    }
  }

  /** Wakes every idle worker (closing, or a worker is to retire). */
  void wakeAll() {
    workQueued.signalAll();
  }

  /**
   * Wakes a worker for a request just queued: now, or on {@code later}, the submitter's event
   * loop (null when none), when the batch is not full and no other loop's wake-up is due.
   *
   * @return whether the caller must hand the deferred wake-up to {@code later} (outside the lock)
   */
  boolean wakeForSubmit(Executor later, boolean batchFull) {
    if (later == null || batchFull || (wakeDueOn != null && wakeDueOn != later)) {
      wakeOne();
    } else if (wakeDueOn == null && wakeupsPending < idle) {
      wakeDueOn = later;
      return true;
    }
    return false;
  }

  /** The deferred wake-up ran, or its loop refused it: wakes a worker if requests are queued. */
  void deferredWakeRan(boolean queued) {
    wakeDueOn = null;
    if (queued) {
      wakeOne();
    }
  }
}
