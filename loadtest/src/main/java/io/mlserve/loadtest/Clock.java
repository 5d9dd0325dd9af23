package io.mlserve.loadtest;

import java.util.concurrent.locks.LockSupport;

/**
 * The time source of a load driver: a monotonic nanosecond reading and a way to wait for a given
 * reading. Injected so that the open-loop schedule can be tested against a fake clock that moves
 * only when told to. Implementations must be thread-safe.
 */
interface Clock {
  /** A monotonic reading in nanoseconds, like {@link System#nanoTime()}. */
  long nanoTime();

  /** Returns once {@link #nanoTime()} has reached {@code deadlineNanos} (or at once if it has). */
  void parkUntil(long deadlineNanos) throws InterruptedException;

  /** The system's monotonic clock; waits park the thread (no spinning: the cores are shared). */
  Clock SYSTEM = new Clock() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void parkUntil(long deadlineNanos) throws InterruptedException {
      long left;
      while ((left = deadlineNanos - System.nanoTime()) > 0) {
        LockSupport.parkNanos(left);
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    }
  };
}
