package io.mlserve.approval;

/**
 * A policy document that breaks a rule: an unknown field, a bad mode, a gate without a bound, a
 * bound on a metric with no direction, a veto window out of range. The message names the field
 * at fault and what is allowed. It is an {@link IllegalArgumentException}, so transports map it
 * to INVALID_ARGUMENT / HTTP 400.
 */
public final class PolicyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public PolicyException(String message) {
    super(message);
  }
}
