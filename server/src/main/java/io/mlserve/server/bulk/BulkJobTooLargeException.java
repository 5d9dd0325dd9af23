package io.mlserve.server.bulk;

/**
 * A bulk job that alone needs more memory than the bulk-job limit allows, so it could never be
 * admitted (unlike a full table, which a later retry may find room in). An
 * {@link IllegalArgumentException}, so the shared error table classifies it as an invalid
 * request; the HTTP gateway answers it 413.
 *
 * <p>Immutable; thread-safe.
 */
public final class BulkJobTooLargeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  BulkJobTooLargeException(String message) {
    super(message);
  }
}
