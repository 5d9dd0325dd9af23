package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.engine.InferenceEngine;
import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.EventLog;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Engines started ahead of the first load: which ones, and what a failed start leaves. */
class EnginePreloadTest {
  @TempDir Path store;

  /** An engine of one format that counts its starts; {@code fails}: each start throws. */
  private static final class CountingEngine implements InferenceEngine {
    final String format;
    final boolean fails;
    final AtomicInteger starts = new AtomicInteger();

    CountingEngine(String format, boolean fails) {
      this.format = format;
      this.fails = fails;
    }

    @Override
    public boolean supports(String f) {
      return format.equals(f);
    }

    @Override
    public LoadedModel load(Path versionDir, Manifest manifest) {
      throw new UnsupportedOperationException("not loaded in this test");
    }

    @Override
    public void start() {
      starts.incrementAndGet();
      if (fails) {
        throw new IllegalStateException("no native library");
      }
    }
  }

  @Test
  void startsOnlyTheEnginesOfTheGivenFormatsOnAThreadOfItsOwn() throws Exception {
    CountingEngine torch = new CountingEngine("torchscript", false);
    CountingEngine onnx = new CountingEngine("onnx", false);
    Thread t = EnginePreload.start(List.of(torch, onnx), Set.of("torchscript"));
    t.join();
    assertEquals(1, torch.starts.get());
    assertEquals(0, onnx.starts.get());
  }

  @Test
  void noFormatAnEngineSupportsStartsNothing() {
    CountingEngine torch = new CountingEngine("torchscript", false);
    assertNull(EnginePreload.start(List.of(torch), Set.of()));
    assertNull(EnginePreload.start(List.of(torch), Set.of("sklearn")));
    assertEquals(0, torch.starts.get());
  }

  @Test
  void aFailedStartIsLeftForTheLoadAndTheOtherEnginesStillStart() throws Exception {
    CountingEngine broken = new CountingEngine("torchscript", true);
    CountingEngine onnx = new CountingEngine("onnx", false);
    Thread t = EnginePreload.start(List.of(broken, onnx), Set.of("torchscript", "onnx"));
    t.join();
    assertEquals(1, broken.starts.get());
    assertEquals(1, onnx.starts.get());
  }

  @Test
  void theServedFormatsAreThoseOfTheProductionAndStagingVersions() {
    assertEquals(Set.of(), EnginePreload.servedFormats(ModelStore.open(store)));
    try (EventLog events = EventLog.open(store)) {
      ModelRegistry registry = new ModelRegistry(ModelStore.open(store), events,
          ArtifactValidator.none(), Clock.systemUTC());
      Manifest m = registry.register(RegisterRequest.fromManifestFile(
          DemoModel.dir().resolve("model.json"), "test"));
      // Registered only (Development): a server loads nothing of it at start.
      assertEquals(Set.of(), EnginePreload.servedFormats(ModelStore.open(store)));
      registry.promote(m.name(), m.version(), Stage.STAGING, "test", "test");
      assertEquals(Set.of("torchscript"), EnginePreload.servedFormats(ModelStore.open(store)));
    }
  }
}
