package io.mlserve.drift;

import io.mlserve.dataset.DatasetBatch;
import io.mlserve.store.Manifest;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Runs a model version over dataset rows and answers every output: what a reference profile
 * needs to profile a version's outputs. This module has no inference engine; the server provides
 * one through {@link ServiceLoader} (a {@code META-INF/services/io.mlserve.drift.OutputPredictor}
 * entry naming a public class with a public no-argument constructor), so that {@code mlctl
 * --store} on the server's classpath ({@code bin/mlctl}) profiles outputs as a server does.
 * Implementations must be thread-safe; a {@link Session} is used by one thread.
 */
public interface OutputPredictor {
  /**
   * Loads the version in {@code versionDir} (registered or still being registered) for
   * prediction.
   *
   * @throws Exception naming the version and what failed, when it cannot be loaded
   */
  Session open(Path versionDir, Manifest manifest) throws Exception;

  /** One loaded version; closing it frees it. Not thread-safe. */
  interface Session extends AutoCloseable {
    /**
     * Every numeric output of the version for the batch's rows, in signature order, leaving
     * out {@code BYTES} outputs ({@link FeatureNames#profiled}): one array of
     * {@code batch.rows() * width} values per output, row-major.
     *
     * @throws Exception when the version fails or refuses the batch
     */
    List<double[]> predict(DatasetBatch batch) throws Exception;

    @Override
    void close();
  }

  /** The provider on the classpath, if any (the server's engine). */
  static Optional<OutputPredictor> fromClasspath() {
    return ServiceLoader.load(OutputPredictor.class).findFirst();
  }
}
