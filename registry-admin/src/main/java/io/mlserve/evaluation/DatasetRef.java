package io.mlserve.evaluation;

import java.util.Objects;

/**
 * Which dataset an evaluation ran on: its name in the model's store, the sha256 of its stored
 * content (so a result names exactly the data it measured), and its row count.
 *
 * @param name the dataset's name under {@code <store>/<model>/datasets/}
 * @param sha256 hex sha256 recorded when the dataset was added
 * @param rows the rows it holds
 */
public record DatasetRef(String name, String sha256, long rows) {
  public DatasetRef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sha256, "sha256");
    if (rows < 0) {
      throw new IllegalArgumentException("rows must not be negative");
    }
  }
}
