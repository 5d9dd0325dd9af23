package io.mlserve.evaluation;

import java.util.Objects;

/**
 * An evaluation that did not complete: it failed (a version refused a batch, the dataset could
 * not be read or scored), was cancelled, or ran past its time limit. The message says which
 * and why, for people; it names rows and versions, never a server path or a Java class.
 */
public final class EvaluationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the evaluation ended. */
  public enum Reason {
    FAILED,
    CANCELLED,
    TIMED_OUT
  }

  private final Reason reason;

  public EvaluationException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public EvaluationException(Reason reason, String message) {
    this(reason, message, null);
  }

  /** Why the evaluation ended. */
  public Reason reason() {
    return reason;
  }
}
