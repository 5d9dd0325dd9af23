package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlserve.dataset.DatasetBatch;
import io.mlserve.dataset.DatasetInfo;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.dataset.DatasetSource;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's held-out dataset: the committed holdout.jsonl, added once, valid for the model. */
class DemoHoldoutTest {
  @TempDir Path store;

  @Test
  void theDemoAddsTheValidationSplitOnceAsHoldout() throws Exception {
    try (EventLog events = EventLog.open(store)) {
      new ModelRegistry(ModelStore.open(store), events, ArtifactValidator.none(),
          Clock.systemUTC()).register(RegisterRequest.fromManifestFile(
              DemoModel.dir().resolve("model.json"), "test"));
    }
    DemoCommand.addHoldout(store, DemoModel.dir());
    DemoCommand.addHoldout(store, DemoModel.dir()); // a reused demo store: nothing to add
    try (EventLog events = EventLog.open(store)) {
      DatasetStore datasets = new DatasetStore(new ModelRegistry(ModelStore.open(store), events,
          ArtifactValidator.none(), Clock.systemUTC()), Clock.systemUTC(),
          DatasetLimits.defaults());
      List<DatasetInfo> all = datasets.list("curve_forecaster");
      assertEquals(1, all.size());
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
}
