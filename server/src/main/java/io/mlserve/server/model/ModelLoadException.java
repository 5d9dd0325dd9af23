package io.mlserve.server.model;

/** A version could not be loaded, warmed or health-checked; the message says which and why. */
public final class ModelLoadException extends Exception {
  private static final long serialVersionUID = 1L;

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
