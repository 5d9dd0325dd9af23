package io.mlserve.registry;

/**
 * A request the registry refuses: a bad model name or version, a duplicate version, an
 * unsupported format, a failed artifact validation, an illegal stage transition. The message
 * says what was wrong and what is allowed. It is an {@link IllegalArgumentException}, so
 * transports map it to INVALID_ARGUMENT / HTTP 400 with the rest of the bad-input family.
 */
public class InvalidRequestException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message) {
    super(message);
  }

  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
