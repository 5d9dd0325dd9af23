package io.mlserve.dataset;

/**
 * A dataset file that does not hold what its format and the model's inputs require. The
 * message names where (the line, or the array and row) and what was wrong, e.g.
 * {@code line 7: wrong length 5 for input 'x' of shape [4]}. An
 * {@link IllegalArgumentException}, so transports answer INVALID_ARGUMENT / 400.
 */
public final class BadDatasetException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public BadDatasetException(String message) {
    super(message);
  }
}
