package io.mlserve.evaluation;

/**
 * Told after each batch how far an evaluation is. Called on the evaluating thread; it should
 * return quickly.
 */
@FunctionalInterface
public interface ProgressListener {
  /** Ignores progress. */
  ProgressListener NONE = (done, total) -> { };

  /**
   * @param rowsDone rows scored so far
   * @param totalRows the dataset's rows
   */
  void progress(long rowsDone, long totalRows);
}
