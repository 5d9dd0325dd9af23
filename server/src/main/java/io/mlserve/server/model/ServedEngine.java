package io.mlserve.server.model;

import io.mlserve.server.batch.DynamicBatcher;
import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.engine.ModelRunner;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine side of one load of a version: the engine's loaded model, one warmed runner per
 * instance and the started batcher in front of them. {@link ServedModel} holds one at a time and
 * may drop it (idle unload) and get a fresh one (reload on demand).
 *
 * <p>This class is thread-safe; {@link #close} is called once.
 */
final class ServedEngine {
  private static final Logger log = LoggerFactory.getLogger(ServedEngine.class);

  private final String label;
  private final LoadedModel loaded;
  private final List<ModelRunner> runners;
  private final DynamicBatcher batcher;

  ServedEngine(String label, LoadedModel loaded, List<ModelRunner> runners,
      DynamicBatcher batcher) {
    this.label = Objects.requireNonNull(label, "label");
    this.loaded = Objects.requireNonNull(loaded, "loaded");
    this.runners = List.copyOf(runners);
    this.batcher = Objects.requireNonNull(batcher, "batcher");
  }

  DynamicBatcher batcher() {
    return batcher;
  }

  LoadedModel loaded() {
    return loaded;
  }

  /**
   * Stops accepting, lets queued and running requests finish, then frees the runners and the
   * model's native memory.
   */
  void close() {
    try {
      if (!batcher.drainAndStop(30, TimeUnit.SECONDS)) {
        log.warn("{}: requests still queued after 30 s were failed", label);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ModelRunner r : runners) {
      try {
        r.close();
      } catch (RuntimeException e) {
        log.warn("{}: closing a runner failed", label, e);
      }
    }
    loaded.close();
  }
}
