package io.mlserve.store;

/**
 * An I/O failure or an inconsistency in the model store (unreadable manifest, broken stage
 * pointer, failed atomic rename). Unchecked: callers at a transport boundary map it to an
 * internal error; {@link NotFoundException} is the one subtype with its own meaning.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
