package io.mlserve.server.alerts;

/**
 * An alert rule, webhook or rules file that breaks a rule of the format: the message names the
 * rule and the field and says what is allowed, in words a user reads (no class names, no
 * stack traces).
 */
public final class AlertConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public AlertConfigException(String message) {
    super(message);
  }

  /** The same error with {@code where} (e.g. {@code rule 'HighLatency'}) in front. */
  AlertConfigException in(String where) {
    return new AlertConfigException(where + ": " + getMessage());
  }
}
