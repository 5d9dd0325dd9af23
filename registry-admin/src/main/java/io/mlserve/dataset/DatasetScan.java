package io.mlserve.dataset;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a whole dataset file once, checking every row (the check a dataset passes before it is
 * stored), and says what it holds. Constant memory: one batch at a time. Stateless.
 */
final class DatasetScan {
  /** Rows per batch while scanning. */
  static final int BATCH_ROWS = 4096;

  /** What a scan found. */
  record Result(long rows, int labelWidth, String labelKind) {}

  private DatasetScan() {}

  /**
   * @throws BadDatasetException naming the line or array and row at fault
   */
  static Result scan(DatasetFormat format, Path file, DatasetSchema schema, DatasetLimits limits)
      throws IOException {
    long rows = 0;
    int width = 0;
    boolean integer = true;
    try (DatasetSource src = DatasetReaders.open(format, file, schema, limits, -1)) {
      for (DatasetBatch b; (b = src.next(BATCH_ROWS)) != null; ) {
        rows += b.rows();
        width = b.labelWidth();
        if (integer) {
          for (double v : b.labels()) {
            if (v != Math.rint(v)) {
              integer = false;
              break;
            }
          }
        }
      }
    }
    if (rows == 0) {
      throw new BadDatasetException("the file holds no rows");
    }
    return new Result(rows, width, integer ? DatasetInfo.INTEGER : DatasetInfo.REAL);
  }
}
