package io.mlserve.dataset;

import java.io.IOException;

/**
 * Reads a stored dataset front to back in batches, holding one batch in memory at a time, so a
 * dataset larger than the heap can be evaluated. Not thread-safe: one reader per source.
 */
public interface DatasetSource extends AutoCloseable {
  /**
   * The next batch of at most {@code maxRows} rows, or null at the end.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when a row is malformed, naming the line or array and row
   */
  DatasetBatch next(int maxRows) throws IOException;

  /** The dataset's row count, as recorded when it was added. */
  long totalRows();

  @Override
  void close() throws IOException;
}
