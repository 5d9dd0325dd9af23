package io.mlserve.server.engine;

/**
 * A model artifact loaded by an engine, from which per-worker runners are made. Closing it frees
 * the model's native memory; close its runners first.
 *
 * <p>Implementations are thread-safe for {@link #newRunner()}.
 */
public interface LoadedModel extends AutoCloseable {
  /** A new runner with its own predictor state. */
  ModelRunner newRunner();

  @Override
  void close();
}
