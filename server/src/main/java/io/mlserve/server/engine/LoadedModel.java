package io.mlserve.server.engine;

/**
 * A model artifact loaded by an engine, from which per-worker runners are made. Closing it frees
 * the model's native memory; close its runners first.
 *
 * <p>Implementations are thread-safe for {@link #newRunner(int)}.
 */
public interface LoadedModel extends AutoCloseable {
  /**
   * A new runner with its own predictor state.
   *
   * @param intraOpThreads threads one prediction may use (the manifest's
   *     {@code threads_per_instance}); the engine applies it on whichever thread runs the call
   */
  ModelRunner newRunner(int intraOpThreads);

  @Override
  void close();
}
