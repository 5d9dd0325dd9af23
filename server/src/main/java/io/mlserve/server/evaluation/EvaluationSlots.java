package io.mlserve.server.evaluation;

import io.mlserve.evaluation.EvaluationException;
import io.mlserve.server.core.InferenceException;
import java.util.function.BooleanSupplier;

/**
 * Admission of evaluations on one server: one runs at a time, up to {@code maxQueued} more wait
 * for it (in arrival order is not promised), and any further one is refused at once with
 * {@code RESOURCE_EXHAUSTED} naming the running evaluation. A waiting caller gives up its place
 * when it is cancelled or interrupted. This class is thread-safe.
 */
final class EvaluationSlots {
  /** How often a waiting caller checks whether it was cancelled. */
  private static final long POLL_MS = 100;

  private final int maxQueued;
  // Guarded by this.
  private String running;
  private int waiting;

  EvaluationSlots(int maxQueued) {
    if (maxQueued < 0) {
      throw new IllegalArgumentException("maxQueued must not be negative");
    }
    this.maxQueued = maxQueued;
  }

  /** The slot held while an evaluation runs; closing it lets the next one in. */
  interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Waits for the slot.
   *
   * @param what the evaluation, as the refusal of another names it
   * @throws InferenceException RESOURCE_EXHAUSTED when one runs and {@code maxQueued} wait
   * @throws EvaluationException CANCELLED when cancelled or interrupted while waiting
   */
  synchronized Slot acquire(String what, BooleanSupplier cancelled) {
    if (running != null && waiting >= maxQueued) {
      throw new InferenceException(InferenceException.Kind.RESOURCE_EXHAUSTED,
          "an evaluation is running (" + running + ")" + (maxQueued == 0 ? ""
              : " and " + waiting + " more are queued") + "; retry when it has finished");
    }
    waiting++;
    try {
      while (running != null) {
        if (cancelled.getAsBoolean()) {
          throw new EvaluationException(EvaluationException.Reason.CANCELLED,
              what + " was cancelled while waiting for " + running);
        }
        wait(POLL_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EvaluationException(EvaluationException.Reason.CANCELLED,
          what + " was cancelled while waiting for " + running, e);
    } finally {
      waiting--;
    }
    running = what;
    return this::release;
  }

  private synchronized void release() {
    running = null;
    notifyAll();
  }

  /** How many evaluations wait for the running one. */
  synchronized int waiting() {
    return waiting;
  }

  /** The running evaluation's description, or null. */
  synchronized String running() {
    return running;
  }
}
