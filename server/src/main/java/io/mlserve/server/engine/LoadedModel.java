package io.mlserve.server.engine;

import io.mlserve.store.Signature;
import java.util.Optional;

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

  /**
   * The signature to serve with: the artifact's own (an ONNX graph's inputs and outputs), checked
   * against and narrowed by the manifest's when it has one; empty when the artifact does not
   * declare one (TorchScript), in which case the manifest's signature is served.
   */
  default Optional<Signature> signature() {
    return Optional.empty();
  }

  /**
   * Whether the artifact takes any number of rows in dimension 0 of every input and output; when
   * false the server forces its max batch size to 1.
   */
  default boolean dynamicBatch() {
    return true;
  }

  /**
   * Whether batches must run at a few fixed sizes (padded up to them) because the engine
   * re-optimises its graph for every new input shape it meets (TorchScript's profiling executor
   * with the graph optimizer on): the warm-up then covers every size served, and no shape is new
   * after a reload. False when any batch size costs no more than its rows.
   */
  default boolean paddedBatches() {
    return true;
  }

  /**
   * The device that serves, canonical ({@code cpu}, {@code gpu0}, ...); engines that can serve
   * elsewhere than the CPU override this.
   */
  default String device() {
    return "cpu";
  }

  @Override
  void close();
}
