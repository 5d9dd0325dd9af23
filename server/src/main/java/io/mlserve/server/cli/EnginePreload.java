package io.mlserve.server.cli;

import io.mlserve.server.engine.InferenceEngine;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the engines a store's models need on a background thread while the server wires and
 * binds its transports: libtorch's native load alone took 0.5-0.8 s of the demo's start, spent
 * before the first model could load. The first load then finds the engine started, or waits for
 * the start under way ({@link InferenceEngine#start} is safe to call concurrently). A start that
 * fails is left for that load to report, with its own message, once.
 *
 * <p>The engine properties (offline mode, torch thread counts) must be set before
 * {@link #start}. Stateless; thread-safe.
 */
final class EnginePreload {
  private static final Logger log = LoggerFactory.getLogger(EnginePreload.class);

  /**
   * {@code -Dmlserve.engine.preload.off=true}: engines start at their first load, as before this
   * class (bench/coldstart.sh measures the difference with it).
   */
  static final String OFF_PROPERTY = "mlserve.engine.preload.off";

  private EnginePreload() {}

  /**
   * Starts, on one daemon thread, every engine of {@code engines} that supports one of
   * {@code formats}; nothing when none does.
   *
   * @return the thread, or null when nothing needed starting
   */
  static Thread start(List<InferenceEngine> engines, Collection<String> formats) {
    if (Boolean.getBoolean(OFF_PROPERTY)) {
      return null;
    }
    List<InferenceEngine> needed = engines.stream()
        .filter(e -> formats.stream().anyMatch(e::supports)).toList();
    if (needed.isEmpty()) {
      return null;
    }
    Thread t = new Thread(() -> {
      for (InferenceEngine e : needed) {
        try {
          e.start();
        } catch (Exception | LinkageError err) { // the first load reports it
          log.debug("engine start ahead of the first load failed", err);
        }
      }
    }, "mlserve-engine-start");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * The formats of the versions a server over {@code store} loads first (every model's
   * Production and Staging version); none for a store that cannot be read (its load reports
   * that).
   */
  static Set<String> servedFormats(ModelStore store) {
    Set<String> formats = new TreeSet<>();
    try {
      for (String model : store.modelNames()) {
        for (Stage stage : new Stage[] {Stage.PRODUCTION, Stage.STAGING}) {
          store.stageVersion(model, stage).ifPresent(v -> {
            Manifest m = store.manifest(model, v);
            if (m.format() != null) {
              formats.add(m.format());
            }
          });
        }
      }
    } catch (RuntimeException e) {
      log.debug("reading the store's formats ahead of the first load failed", e);
    }
    return formats;
  }
}
