package io.mlserve.dataset;

/**
 * A dataset file larger than the limit ({@link DatasetLimits#maxBytes}); nothing of it is kept.
 * Transports answer RESOURCE_EXHAUSTED / 413. The message gives the limit.
 */
public final class DatasetTooLargeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public DatasetTooLargeException(long limit) {
    super("dataset file larger than the limit of " + limit + " bytes");
  }
}
