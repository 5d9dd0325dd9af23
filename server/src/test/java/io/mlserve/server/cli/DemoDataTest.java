package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mlserve.dataset.DatasetBatch;
import io.mlserve.dataset.DatasetInfo;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.dataset.DatasetSource;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.drift.ReferenceJson;
import io.mlserve.drift.ReferenceProfile;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.reference.EngineOutputPredictor;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's datasets: the committed holdout.jsonl and train_sample.jsonl, added once, valid for
 * the model.
 */
class DemoDataTest {
  @TempDir Path store;

  @Test
  void theDemoAddsTheValidationSplitOnceAsHoldout() throws Exception {
    try (EventLog events = EventLog.open(store)) {
      new ModelRegistry(ModelStore.open(store), events, ArtifactValidator.none(),
          Clock.systemUTC()).register(RegisterRequest.fromManifestFile(
              DemoModel.dir().resolve("model.json"), "test"));
    }
    DemoData.addDatasets(store, DemoModel.dir());
    DemoData.addDatasets(store, DemoModel.dir()); // a reused demo store: nothing to add
    try (EventLog events = EventLog.open(store)) {
      DatasetStore datasets = new DatasetStore(new ModelRegistry(ModelStore.open(store), events,
          ArtifactValidator.none(), Clock.systemUTC()), Clock.systemUTC(),
          DatasetLimits.defaults());
      List<DatasetInfo> all = datasets.list("curve_forecaster");
      assertEquals(List.of("holdout", "train_sample"), all.stream().map(DatasetInfo::name)
          .toList());
      assertEquals(1000, all.get(1).rows());
      DatasetInfo d = all.get(0);
      assertEquals("holdout", d.name());
      assertEquals(1200, d.rows());
      assertEquals(24, d.labelWidth());
      assertEquals("demo", d.actor());
      long rows = 0;
      try (DatasetSource src = datasets.open("curve_forecaster", "holdout")) {
        for (DatasetBatch b; (b = src.next(500)) != null; ) {
          assertEquals("curve", b.inputs().get(0).name());
          rows += b.rows();
        }
      }
      assertEquals(1200, rows);
    }
  }

  @Test
  void everyDemoVersionGetsItsReferenceFromTheTrainingSampleOnce() throws Exception {
    try (EventLog events = EventLog.open(store)) {
      ModelRegistry registry = new ModelRegistry(ModelStore.open(store), events,
          ArtifactValidator.none(), Clock.systemUTC());
      RegisterRequest base = RegisterRequest.fromManifestFile(
          DemoModel.dir().resolve("model.json"), "test");
      registry.register(base);
      registry.register(new RegisterRequest(base.model(), "1.1.0", base.artifact(),
          base.format(), base.signature(), base.serving(), null, null, null, null, null,
          "test"));
    }
    DemoData.addDatasets(store, DemoModel.dir());
    EngineOutputPredictor engine = new EngineOutputPredictor(new ModelLoader(
        List.of(new DjlEngine()), Ticker.system(), Function.identity(), new MetricsRegistry(),
        Telemetry.disabled()), Ticker.system());
    DemoData.addReferences(store, engine);
    Path v100 = store.resolve("curve_forecaster/versions/1.0.0");
    ReferenceProfile p = ReferenceJson.read(v100).orElseThrow();
    assertTrue(p.source().startsWith("dataset:train_sample@"), p.source());
    assertEquals(1000, p.rows());
    assertEquals(24, p.inputs().size());
    assertEquals(24, p.outputs().size());
    // the profile's input means are the sample's, from the committed file
    double mean0 = 0;
    List<String> lines = Files.readAllLines(DemoModel.dir().resolve("train_sample.jsonl"));
    for (String line : lines) {
      mean0 += new ObjectMapper().readTree(line).get("input").get(0).asDouble() / lines.size();
    }
    assertEquals(mean0, p.inputs().get(0).mean(), 1e-3);
    assertTrue(ReferenceJson.read(store.resolve("curve_forecaster/versions/1.1.0")).isPresent());

    DemoData.addReferences(store, engine); // a reused demo store: nothing recomputed
    assertEquals(p.createdMillis(), ReferenceJson.read(v100).orElseThrow().createdMillis());
    assertEquals(new String(ReferenceJson.bytes(p)),
        Files.readString(v100.resolve("reference.json")));
  }
}
