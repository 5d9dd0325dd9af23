package io.mlserve.dataset;

/**
 * What is wrong with one row, without saying where: thrown by the value checks, caught by the
 * reader that knows the line or array and row, and rethrown as a {@link BadDatasetException}.
 */
final class RowException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RowException(String message) {
    super(message, null, false, false);
  }
}
