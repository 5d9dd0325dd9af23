package io.mlserve.server.batch;

import java.util.concurrent.Executor;

/**
 * Lets a request submitted from a transport's event loop wake a batcher worker a moment later:
 * once the loop has finished the work in hand, typically decoding every request of the same
 * socket read. The worker then finds them all queued and runs them as one batch, instead of
 * waking for the first and running it alone. No request waits on a timer: the loop runs the
 * wake-up as soon as its current turn ends.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface WakeDeferral {
  /** Wakes at once: for callers that are not event loops, and for tests. */
  WakeDeferral NONE = () -> null;

  /**
   * An executor that runs a task after the calling thread's current turn of work, or null when
   * the calling thread cannot defer (the worker is woken at once).
   */
  Executor current();
}
