package io.mlserve.registry;

/**
 * A mutating admin call without the configured admin token, or with a wrong one (see
 * {@link AdminAccess}). Transports map it to UNAUTHENTICATED / HTTP 401.
 */
public final class UnauthenticatedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnauthenticatedException(String message) {
    super(message, null, false, false);
  }
}
