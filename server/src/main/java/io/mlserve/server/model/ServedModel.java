package io.mlserve.server.model;

import io.mlserve.server.batch.DynamicBatcher;
import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.Manifest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded, warmed model version ready to serve: its manifest, its batcher, and the engine
 * resources behind them. Everything kept per version lives here, so replacing the object in the
 * router replaces all of it at once.
 *
 * <p>This class is thread-safe.
 */
public final class ServedModel implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServedModel.class);

  private final Manifest manifest;
  private final LoadedModel loaded;
  private final List<ModelRunner> runners;
  private final DynamicBatcher batcher;
  private final RequestValidator validator;
  private final boolean batchable;

  ServedModel(
      Manifest manifest,
      LoadedModel loaded,
      List<ModelRunner> runners,
      DynamicBatcher batcher,
      RequestValidator validator) {
    this.manifest = Objects.requireNonNull(manifest, "manifest");
    this.loaded = Objects.requireNonNull(loaded, "loaded");
    this.runners = List.copyOf(runners);
    this.batcher = Objects.requireNonNull(batcher, "batcher");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.batchable = validator.batchable();
  }

  public String name() {
    return manifest.name();
  }

  public String version() {
    return manifest.version();
  }

  public Manifest manifest() {
    return manifest;
  }

  public DynamicBatcher batcher() {
    return batcher;
  }

  /** {@code name:version}, as used in messages and thread names. */
  public String label() {
    return manifest.name() + ":" + manifest.version();
  }

  /**
   * Validates the inputs against the signature and queues them.
   *
   * @param deadlineNanos ticker time after which the request is dropped, or Long.MAX_VALUE
   * @return outputs in signature order
   * @throws io.mlserve.server.core.InferenceException at once for bad input or a full queue
   */
  public CompletableFuture<Tensor[]> infer(List<Tensor> inputs, long deadlineNanos) {
    Tensor[] ordered = validator.validate(inputs);
    int rows = batchable ? (int) Math.min(Integer.MAX_VALUE, ordered[0].dim(0)) : 1;
    return batcher.submit(ordered, rows, deadlineNanos);
  }

  /**
   * Stops accepting, lets queued and running requests finish, then frees the runners and the
   * model's native memory.
   */
  @Override
  public void close() {
    try {
      if (!batcher.drainAndStop(30, TimeUnit.SECONDS)) {
        log.warn("{}: requests still queued after 30 s were failed", label());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ModelRunner r : runners) {
      try {
        r.close();
      } catch (RuntimeException e) {
        log.warn("{}: closing a runner failed", label(), e);
      }
    }
    loaded.close();
  }
}
