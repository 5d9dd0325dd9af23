package io.mlserve.server.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.experiments.RunStore;
import io.mlserve.registry.InvalidRequestException;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterSpec;
import io.mlserve.registry.Registrations;
import io.mlserve.server.model.EngineArtifactValidator;
import io.mlserve.server.testing.OnnxFixtures;
import io.mlserve.store.EventLog;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registering ONNX artifacts as {@code mlctl register --artifact model.onnx} does (the same
 * {@link Registrations#resolve}), validated by the server's engines: format told from the file,
 * the graph's signature when none is given, sha256 recorded; and each bad artifact refused with
 * its reason, leaving no version behind.
 */
class OnnxRegistrationTest {
  @TempDir Path tmp;
  private ModelStore store;
  private EventLog events;
  private ModelRegistry registry;
  private RunStore runs;

  @BeforeEach
  void open() throws Exception {
    store = ModelStore.open(tmp.resolve("store"));
    events = EventLog.open(store.root());
    registry = new ModelRegistry(store, events, new EngineArtifactValidator(),
        Clock.systemUTC());
    runs = new RunStore(store, events, Clock.systemUTC());
  }

  @AfterEach
  void close() throws Exception {
    events.close();
  }

  private Manifest register(String fixture, String fileName, Signature signature) {
    Path upload;
    try {
      Path dir = OnnxFixtures.versionDir(tmp.resolve("upload-" + fixture), fixture);
      upload = Files.move(dir.resolve("model.onnx"), dir.resolve(fileName));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return registry.register(Registrations.resolve(new RegisterSpec("tab", "1.0.0", null,
        upload, null, signature, null, null, null, null, "test"), registry, runs));
  }

  @Test
  void anOnnxFileRegistersWithItsGraphsSignature() {
    Manifest m = register("dense_dynamic.onnx", "exported.bin", null);
    assertEquals("onnx", m.format());
    assertEquals("model.onnx", m.artifact());
    assertEquals("onnxruntime_onnx", m.platform());
    assertEquals(64, m.sha256().length());
    assertEquals(List.of(new TensorSpec("x", "FP32", List.of(-1L, 3L))), m.signature().inputs());
    assertTrue(store.versions("tab").contains("1.0.0"));
  }

  @Test
  void badArtifactsAreRefusedWithTheReason() {
    String corrupt = assertThrows(InvalidRequestException.class,
        () -> register("corrupt.onnx", "model.onnx", null)).getMessage();
    assertTrue(corrupt.startsWith("artifact model.onnx is not an ONNX model"), corrupt);

    Signature wrong = new Signature(List.of(new TensorSpec("features", "FP32", List.of(-1L, 3L))),
        List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L))));
    String mismatch = assertThrows(RuntimeException.class,
        () -> register("dense_dynamic.onnx", "model.onnx", wrong)).getMessage();
    assertTrue(mismatch.contains("manifest input 'features' is not an input of the ONNX graph"),
        mismatch);

    String bf16 = assertThrows(InvalidRequestException.class,
        () -> register("bfloat16.onnx", "model.onnx", null)).getMessage();
    assertTrue(bf16.contains("input 'x' has ONNX element type 16, which is not served"), bf16);
    assertFalse(store.hasModel("tab") && !store.versions("tab").isEmpty(),
        "no version was left behind");
  }
}
