package io.mlserve.dataset;

/**
 * What a dataset may hold at most, checked while it is added (nothing larger is stored) and
 * while it is read. Immutable.
 *
 * @param maxBytes the data file's size
 * @param maxLineBytes one JSONL or CSV line, newline excluded
 * @param maxInputs model inputs (arrays in an npz)
 * @param maxLabelWidth label values per row
 * @param maxRowElements input elements per row, all inputs together
 */
public record DatasetLimits(long maxBytes, int maxLineBytes, int maxInputs, int maxLabelWidth,
    int maxRowElements) {
  /** Default data file limit: 4 GiB. */
  public static final long DEFAULT_MAX_BYTES = 4L << 30;
  /** Default line limit: 64 MiB. */
  public static final int DEFAULT_MAX_LINE_BYTES = 64 << 20;

  public DatasetLimits {
    if (maxBytes < 1 || maxLineBytes < 1 || maxInputs < 1 || maxLabelWidth < 1
        || maxRowElements < 1) {
      throw new IllegalArgumentException("dataset limits must be positive");
    }
  }

  /** 4 GiB files, 64 MiB lines, 64 inputs, 65,536 label values and 4,194,304 elements a row. */
  public static DatasetLimits defaults() {
    return new DatasetLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_LINE_BYTES, 64, 1 << 16, 1 << 22);
  }

  /** These limits with another file size limit. */
  public DatasetLimits withMaxBytes(long bytes) {
    return new DatasetLimits(bytes, maxLineBytes, maxInputs, maxLabelWidth, maxRowElements);
  }
}
