package io.mlserve.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens the reader of a dataset file by its format: a stored dataset's ({@link DatasetStore#open})
 * or one outside the datasets directory (a run's artifact that holds a drift reference's rows).
 * Stateless.
 */
public final class DatasetReaders {
  private DatasetReaders() {}

  /**
   * A reader of {@code file} in {@code format} that checks every row against {@code schema}
   * (a label width of 0 is learned from the first row).
   *
   * @param totalRows what {@link DatasetSource#totalRows} answers; -1 when not yet known
   */
  public static DatasetSource open(DatasetFormat format, Path file, DatasetSchema schema,
      DatasetLimits limits, long totalRows) throws IOException {
    return switch (format) {
      case NPZ -> new NpzSource(file, schema, limits, totalRows);
      case JSONL -> new JsonlSource(stream(file), schema, limits, totalRows);
      case CSV -> new CsvSource(stream(file), schema, limits, totalRows);
    };
  }

  private static InputStream stream(Path file) throws IOException {
    return Files.newInputStream(file);
  }
}
