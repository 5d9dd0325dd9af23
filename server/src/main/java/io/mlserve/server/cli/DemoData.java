package io.mlserve.server.cli;

import io.mlserve.dataset.DatasetFormat;
import io.mlserve.dataset.DatasetInfo;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.drift.OutputPredictor;
import io.mlserve.errors.ClientText;
import io.mlserve.drift.ReferenceComputer;
import io.mlserve.drift.ReferenceProfile;
import io.mlserve.experiments.RunStore;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * What the demo store holds beside the demo model's versions: its datasets, {@code holdout}
 * (train.py's validation split, for {@code mlctl evaluate}) and {@code train_sample} (1000 rows of
 * the training split, by {@code reference_data.py}), and a drift reference profile per version
 * computed from {@code train_sample}, the outputs through the engine. Each is added only where
 * missing, so a reused demo store is completed, never changed; a reference that cannot be
 * computed is reported and the demo goes on (drift then takes its reference from live rows).
 * Stateless.
 */
final class DemoData {
  static final String MODEL = "curve_forecaster";
  /** The held-out evaluation dataset and its file in the example directory. */
  static final String HOLDOUT = "holdout";
  static final String HOLDOUT_FILE = "holdout.jsonl";
  /** The training sample, the versions' drift reference, and its file. */
  static final String TRAIN_SAMPLE = "train_sample";
  static final String TRAIN_SAMPLE_FILE = "train_sample.jsonl";

  private DemoData() {}

  /** Adds {@code holdout} and {@code train_sample} to the demo model where missing. */
  static void addDatasets(Path storeDir, Path example) throws IOException {
    addDataset(storeDir, example.resolve(HOLDOUT_FILE), HOLDOUT,
        "train.py's validation split (last 20% of days), never trained on");
    addDataset(storeDir, example.resolve(TRAIN_SAMPLE_FILE), TRAIN_SAMPLE,
        "1000 rows of train.py's training split (reference_data.py): the drift reference");
  }

  private static void addDataset(Path storeDir, Path file, String name, String description)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      System.err.println("mlserve demo: " + file + " not found; no " + name + " dataset added");
      return;
    }
    try (EventLog events = EventLog.open(storeDir)) {
      ModelRegistry registry = registry(storeDir, events);
      DatasetStore datasets = datasets(registry);
      if (!registry.store().hasModel(MODEL) || datasets.list(MODEL).stream()
          .anyMatch(d -> d.name().equals(name))) {
        return;
      }
      DatasetInfo d;
      try (InputStream in = Files.newInputStream(file)) {
        d = datasets.add(MODEL, name, DatasetFormat.JSONL, in, description, "demo");
      }
      System.out.println("mlserve demo: added dataset " + name + " to " + MODEL + " ("
          + d.rows() + " rows, sha256 " + d.sha256().substring(0, 12) + "...)");
    }
  }

  /**
   * Computes each demo model version's reference profile from {@code train_sample} where the
   * version has none (and the dataset exists).
   */
  static void addReferences(Path storeDir, OutputPredictor engine) {
    try (EventLog events = EventLog.open(storeDir)) {
      ModelRegistry registry = registry(storeDir, events);
      ModelStore store = registry.store();
      DatasetStore datasets = datasets(registry);
      if (!store.hasModel(MODEL) || datasets.list(MODEL).stream()
          .noneMatch(d -> d.name().equals(TRAIN_SAMPLE))) {
        return;
      }
      ReferenceComputer references = new ReferenceComputer(store, datasets,
          new RunStore(store, events, Clock.systemUTC()), engine, Clock.systemUTC(),
          ReferenceComputer.DEFAULT_MAX_ROWS);
      for (String version : store.versions(MODEL)) {
        if (references.get(MODEL, version).isPresent()) {
          continue;
        }
        try {
          ReferenceProfile p = references.set(MODEL, version, TRAIN_SAMPLE, false);
          System.out.println("mlserve demo: drift reference of " + MODEL + " " + version
              + " from " + TRAIN_SAMPLE + " (" + p.rows() + " rows; " + p.inputs().size()
              + " input and " + p.outputs().size() + " output features)");
        } catch (RuntimeException e) { // the demo serves on; drift falls back to live rows
          System.err.println("mlserve demo: no drift reference for " + MODEL + " " + version
              + ": " + ClientText.scrub(e.getMessage(), "it could not be computed")
              + " (mlctl reference set computes one later)");
        }
      }
    }
  }

  private static ModelRegistry registry(Path storeDir, EventLog events) {
    return new ModelRegistry(ModelStore.open(storeDir), events, ArtifactValidator.none(),
        Clock.systemUTC());
  }

  private static DatasetStore datasets(ModelRegistry registry) {
    return new DatasetStore(registry, Clock.systemUTC(), DatasetLimits.defaults());
  }
}
