package io.mlserve.evaluation;

import io.mlserve.dataset.DatasetBatch;

/**
 * Runs one model version over a batch of dataset rows: the seam between the evaluation (metrics,
 * results, reports; transport- and engine-free) and whatever answers (the server's inference
 * service, a local engine, a fake in unit tests). Implementations must be thread-safe if the
 * caller evaluates two versions at once.
 */
public interface Predictor {
  /**
   * The version's answer for every row of {@code batch}: the output the evaluation scores,
   * as doubles, {@code batch.rows()} rows of {@link Prediction#width()} values.
   *
   * @param version the version to run
   * @throws Exception when the version fails or refuses the batch; the evaluation fails with
   *     that message
   */
  Prediction predict(String version, DatasetBatch batch) throws Exception;

  /**
   * One batch's scored output.
   *
   * @param values {@code rows * width} values, row-major
   * @param width values per row
   */
  record Prediction(double[] values, int width) {
    public Prediction {
      if (width < 1 || values.length % width != 0) {
        throw new IllegalArgumentException(values.length + " values are not rows of " + width);
      }
    }
  }
}
