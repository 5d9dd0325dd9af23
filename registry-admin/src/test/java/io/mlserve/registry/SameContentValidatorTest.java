package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.store.EventLog;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registrations through a real registry: each distinct content reaches the delegate once. */
class SameContentValidatorTest {
  private static final Signature SIGNATURE = new Signature(
      List.of(new TensorSpec("curve", "FP32", List.of(-1L, 24L))),
      List.of(new TensorSpec("forecast", "FP32", List.of(-1L, 24L))));

  @TempDir Path tmp;
  private Path src;
  private ModelStore store;
  private EventLog events;
  /** The versions the delegate validated, as name:version, and whether to fail them. */
  private final List<String> checked = new ArrayList<>();
  private volatile boolean failNext;
  private final ArtifactValidator engine = new ArtifactValidator() {
    @Override
    public void validate(Path dir, Manifest m) throws Exception {
      checked.add(m.name() + ":" + m.version());
      assertTrue(Files.isRegularFile(dir.resolve(m.artifact())));
      if (failNext) {
        failNext = false;
        throw new IllegalStateException("golden example 0 differs");
      }
    }

    @Override
    public String description() {
      return "engine";
    }
  };

  @BeforeEach
  void setUp() throws Exception {
    src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("model.pt"), "weights A");
    Files.writeString(src.resolve("examples.json"), "{\"inputs\":[[1.0]],\"outputs\":[[2.0]]}");
    store = ModelStore.open(tmp.resolve("store"));
    events = EventLog.open(store.root());
  }

  @AfterEach
  void tearDown() {
    events.close();
  }

  private ModelRegistry registry(ArtifactValidator validator) {
    return new ModelRegistry(store, events, validator,
        new TestClock(Instant.parse("2026-11-30T06:00:00Z")));
  }

  private RegisterRequest request(String model, String version, Path artifact, Path examples) {
    return new RegisterRequest(model, version, artifact, "torchscript", SIGNATURE, null, "r1",
        Map.of(), Map.of(), "an MLP", examples, "demo");
  }

  @Test
  void theSameBytesUnderOtherNamesAndVersionsAreValidatedOnce() {
    ModelRegistry registry = registry(new SameContentValidator(engine, 8));
    Path pt = src.resolve("model.pt");
    Path ex = src.resolve("examples.json");
    registry.register(request("curve_forecaster", "1.0.0", pt, ex));
    registry.register(request("curve_forecaster", "1.1.0", pt, ex));
    registry.register(request("curve_forecaster_b", "1.0.0", pt, ex));

    assertEquals(List.of("curve_forecaster:1.0.0"), checked);
    assertEquals(3, store.modelNames().stream()
        .mapToInt(m -> store.versions(m).size()).sum());
  }

  @Test
  void anotherArtifactExamplesOrSignatureIsValidatedAgain() throws Exception {
    ModelRegistry registry = registry(new SameContentValidator(engine, 8));
    Path pt = src.resolve("model.pt");
    Path ex = src.resolve("examples.json");
    Path otherPt = Files.writeString(tmp.resolve("other.pt"), "weights B");
    Path otherEx = Files.writeString(tmp.resolve("other-examples.json"),
        "{\"inputs\":[[1.0]],\"outputs\":[[3.0]]}");
    registry.register(request("m", "1.0.0", pt, ex));
    registry.register(request("m", "1.1.0", otherPt, ex));
    registry.register(request("m", "1.2.0", pt, otherEx));
    registry.register(new RegisterRequest("m", "1.3.0", pt, "torchscript",
        new Signature(List.of(new TensorSpec("curve", "FP32", List.of(-1L, 12L))),
            SIGNATURE.outputs()), null, "r1", Map.of(), Map.of(), "an MLP", ex, "demo"));

    assertEquals(List.of("m:1.0.0", "m:1.1.0", "m:1.2.0", "m:1.3.0"), checked);
  }

  @Test
  void aFailureIsNotRememberedAndRegistersNothing() {
    ModelRegistry registry = registry(new SameContentValidator(engine, 8));
    Path pt = src.resolve("model.pt");
    Path ex = src.resolve("examples.json");
    failNext = true;
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> registry.register(request("m", "1.0.0", pt, ex)));
    assertTrue(e.getMessage().contains("golden example 0 differs"), e.getMessage());
    registry.register(request("m", "1.1.0", pt, ex));

    assertEquals(List.of("m:1.0.0", "m:1.1.0"), checked);
    assertEquals(List.of("1.1.0"), store.versions("m"));
  }

  @Test
  void beyondItsCapacityEveryContentIsValidatedEachTime() throws Exception {
    ModelRegistry registry = registry(new SameContentValidator(engine, 1));
    Path pt = src.resolve("model.pt");
    Path ex = src.resolve("examples.json");
    Path otherPt = Files.write(tmp.resolve("other.pt"), "weights B".getBytes(StandardCharsets.UTF_8));
    registry.register(request("m", "1.0.0", pt, ex));
    registry.register(request("m", "1.1.0", otherPt, ex));
    registry.register(request("m", "1.2.0", otherPt, ex));
    registry.register(request("m", "1.3.0", pt, ex));

    assertEquals(List.of("m:1.0.0", "m:1.1.0", "m:1.2.0"), checked);
    assertEquals("engine", new SameContentValidator(engine, 1).description());
  }
}
