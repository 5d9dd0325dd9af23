package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.Manifest;
import io.mlserve.store.ManifestCodec;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import io.mlserve.store.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
  private static final Instant T0 = Instant.parse("2026-11-26T07:00:00Z");
  private static final byte[] WEIGHTS = "not really torchscript".getBytes(StandardCharsets.UTF_8);
  private static final Signature SIGNATURE = new Signature(
      List.of(new TensorSpec("curve", "FP32", List.of(-1L, 24L))),
      List.of(new TensorSpec("forecast", "FP32", List.of(-1L, 24L))));

  @TempDir Path tmp;
  private Path src;
  private Path storeRoot;
  private ModelStore store;
  private EventLog events;
  private TestClock clock;
  private final List<Event> delivered = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    src = Files.createDirectories(tmp.resolve("src"));
    Files.write(src.resolve("model.pt"), WEIGHTS);
    Files.writeString(src.resolve("examples.json"), "{\"inputs\":[[1.0]],\"outputs\":[[2.0]]}");
    storeRoot = tmp.resolve("store");
    store = ModelStore.open(storeRoot);
    events = EventLog.open(storeRoot);
    events.subscribe(delivered::add);
    clock = new TestClock(T0);
  }

  @AfterEach
  void tearDown() {
    events.close();
  }

  private ModelRegistry registry(ArtifactValidator validator) {
    return new ModelRegistry(store, events, validator, clock);
  }

  private ModelRegistry registry() {
    return registry(ArtifactValidator.none());
  }

  private RegisterRequest request(String model, String version) {
    return new RegisterRequest(model, version, src.resolve("model.pt"), "torchscript", SIGNATURE,
        null, "abc123", Map.of("lr", 0.01), Map.of("rmse", 0.5), "an MLP",
        src.resolve("examples.json"), "alice");
  }

  private List<String> storeEntriesNamed(String fragment) throws Exception {
    try (Stream<Path> s = Files.walk(storeRoot)) {
      return s.map(p -> storeRoot.relativize(p).toString()).filter(p -> p.contains(fragment))
          .toList();
    }
  }

  @Test
  void registerWritesTheVersionHistoryAndEvent() throws Exception {
    Manifest m = registry().register(request("curve_forecaster", "1.0.0"));

    Path dir = storeRoot.resolve("curve_forecaster/versions/1.0.0");
    assertEquals(dir, store.versionDir("curve_forecaster", "1.0.0"));
    assertEquals(new String(WEIGHTS, StandardCharsets.UTF_8),
        Files.readString(dir.resolve("model.pt")));
    assertTrue(Files.isRegularFile(dir.resolve("examples.json")));
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(WEIGHTS));
    assertEquals(sha, m.sha256());
    assertEquals(m, ManifestCodec.read(dir.resolve("model.json")));
    assertEquals(m, store.manifest("curve_forecaster", "1.0.0"));
    assertEquals("model.pt", m.artifact());
    assertEquals("pytorch_libtorch", m.platform());
    assertEquals(T0, m.createdAt());
    assertEquals(ServingConfig.defaults(), m.serving());
    assertEquals(SIGNATURE, m.signature());
    assertEquals("abc123", m.runId());

    assertEquals(List.of(new HistoryEntry(T0.toEpochMilli(), "curve_forecaster", "1.0.0", null,
        "Development", "alice", "registered")), registry().history("curve_forecaster"));
    Event expected = new Event(Event.REGISTERED, "curve_forecaster", "1.0.0", "Development",
        "abc123", T0.toEpochMilli(), 1, null, Map.of());
    assertEquals(List.of(expected), events.readSince(0));
    assertEquals(List.of(expected), delivered);
    assertEquals(Stage.DEVELOPMENT, registry().stageOf("curve_forecaster", "1.0.0"));
    assertEquals(List.of(), storeEntriesNamed(".tmp-"));
  }

  @Test
  void failedValidationLeavesNothingBehind() throws Exception {
    List<Path> seenDirs = new ArrayList<>();
    ModelRegistry failing = registry((dir, manifest) -> {
      seenDirs.add(dir);
      assertTrue(Files.isRegularFile(dir.resolve("model.pt")), "artifact written before");
      assertTrue(Files.isRegularFile(dir.resolve("model.json")), "manifest written before");
      throw new Exception("warm-up produced NaN");
    });

    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> failing.register(request("m", "1.0.0")));
    assertTrue(e.getMessage().contains("warm-up produced NaN"), e.getMessage());
    assertEquals(1, seenDirs.size());
    assertFalse(Files.exists(seenDirs.get(0)));
    assertFalse(Files.exists(storeRoot.resolve("m")), "a failed first register leaves no model");
    assertEquals(List.of(), store.modelNames());

    registry().register(request("m", "1.0.0"));
    assertThrows(InvalidRequestException.class, () -> failing.register(request("m", "1.1.0")));
    assertEquals(List.of("1.0.0"), store.versions("m"));
    assertEquals(List.of(), storeEntriesNamed(".tmp-"));
    assertEquals(1, events.readSince(0).size(), "no event for the failed register");
    assertEquals(1, registry().history("m").size());
  }

  @Test
  void duplicateVersionIsRefused() {
    registry().register(request("m", "1.0.0"));
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> registry().register(request("m", "1.0.0")));
    assertTrue(e.getMessage().contains("already has version 1.0.0"), e.getMessage());
    e = assertThrows(InvalidRequestException.class,
        () -> registry().register(request("m", "1.0.0+rebuild")));
    assertTrue(e.getMessage().contains("same precedence"), e.getMessage());
    assertEquals(List.of("1.0.0"), store.versions("m"));
  }

  @Test
  void badModelNamesAreRefusedAndWriteNothing() throws Exception {
    for (String bad : List.of("../x", "a/b", "a\\b", "", ".", "..", ".hidden", "a\u0000b",
        "line\nbreak", "x".repeat(129), "sp ace")) {
      InvalidRequestException e = assertThrows(InvalidRequestException.class,
          () -> registry().register(request(bad, "1.0.0")), bad);
      assertTrue(e.getMessage().startsWith("invalid model name '"), e.getMessage());
      assertTrue(e.getMessage().contains("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"), e.getMessage());
      assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\u0000"),
          "control characters are escaped: " + e.getMessage());
    }
    try (Stream<Path> s = Files.list(storeRoot)) {
      assertEquals(List.of(), s.filter(Files::isDirectory).toList());
    }
    assertFalse(Files.exists(tmp.resolve("x")));
  }

  @Test
  void badVersionsAreRefused() {
    for (String bad : List.of("1.0", "v1.0.0", "1.0.0.0", "01.0.0", "../1.0.0", "1.0.0/x", "")) {
      InvalidRequestException e = assertThrows(InvalidRequestException.class,
          () -> registry().register(request("m", bad)), bad);
      assertTrue(e.getMessage().contains("invalid version"), e.getMessage());
      assertTrue(e.getMessage().contains("MAJOR.MINOR.PATCH"), e.getMessage());
    }
    assertFalse(store.hasModel("m"));
  }

  @Test
  void unsupportedFormatAndBadSignatureAreRefused() {
    RegisterRequest r = request("m", "1.0.0");
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> registry().register(new RegisterRequest(r.model(), r.version(), r.artifact(),
            "savedmodel", r.signature(), null, null, null, null, null, null, "a")));
    assertTrue(e.getMessage().contains("allowed: torchscript, onnx"), e.getMessage());
    e = assertThrows(InvalidRequestException.class,
        () -> registry().register(new RegisterRequest(r.model(), r.version(), r.artifact(),
            "torchscript", new Signature(List.of(new TensorSpec("x", "FLOAT", List.of(1L))),
                SIGNATURE.outputs()), null, null, null, null, null, null, "a")));
    assertTrue(e.getMessage().contains("datatype 'FLOAT'"), e.getMessage());
    assertFalse(store.hasModel("m"));
  }

  @Test
  void promoteToStagingThenProduction() {
    ModelRegistry reg = registry();
    reg.register(request("m", "1.0.0"));
    clock.advance(Duration.ofSeconds(1));
    reg.promote("m", "1.0.0", Stage.STAGING, "bob", "offline eval ok");
    assertEquals(Optional.of("1.0.0"), store.stageVersion("m", Stage.STAGING));
    assertEquals(Stage.STAGING, reg.stageOf("m", "1.0.0"));

    clock.advance(Duration.ofSeconds(1));
    reg.promote("m", "1.0.0", Stage.PRODUCTION, "carol", "canary ok");
    assertEquals(Optional.of("1.0.0"), store.stageVersion("m", Stage.PRODUCTION));
    assertEquals(Optional.empty(), store.stageVersion("m", Stage.STAGING),
        "the staging pointer moved with the version");
    assertEquals(Stage.PRODUCTION, reg.stageOf("m", "1.0.0"));

    long t1 = T0.toEpochMilli() + 1000;
    long t2 = T0.toEpochMilli() + 2000;
    List<HistoryEntry> h = reg.history("m");
    assertEquals(List.of(
        new HistoryEntry(T0.toEpochMilli(), "m", "1.0.0", null, "Development", "alice",
            "registered"),
        new HistoryEntry(t1, "m", "1.0.0", "Development", "Staging", "bob", "offline eval ok"),
        new HistoryEntry(t2, "m", "1.0.0", "Staging", "Production", "carol", "canary ok")), h);
    List<Event> ev = events.readSince(1);
    assertEquals(List.of(
        new Event(Event.PROMOTED, "m", "1.0.0", "Staging", "abc123", t1, 2, null, Map.of()),
        new Event(Event.PROMOTED, "m", "1.0.0", "Production", "abc123", t2, 3, null, Map.of())),
        ev);
    assertEquals(3, delivered.size());
  }

  @Test
  void secondProductionPromotionDeprecatesThePreviousVersion() {
    ModelRegistry reg = registry();
    reg.register(request("m", "1.1.0"));
    reg.register(request("m", "1.2.0"));
    reg.promote("m", "1.1.0", Stage.PRODUCTION, "ops", null);
    clock.advance(Duration.ofMinutes(1));
    reg.promote("m", "1.2.0", Stage.PRODUCTION, "ops", "better rmse");

    Event last = events.readSince(0).get(3);
    assertEquals(Event.PROMOTED, last.eventType());
    assertEquals("1.2.0", last.version());
    assertEquals("1.1.0", last.previousVersion());
    assertEquals(4, last.seq());
    assertEquals(Stage.DEPRECATED, reg.stageOf("m", "1.1.0"));
    assertEquals(Stage.PRODUCTION, reg.stageOf("m", "1.2.0"));
    HistoryEntry deprecated = reg.history("m").get(reg.history("m").size() - 1);
    assertEquals("1.1.0", deprecated.version());
    assertEquals("Production", deprecated.fromStage());
    assertEquals("Deprecated", deprecated.toStage());
    assertEquals(T0.plus(Duration.ofMinutes(1)).toEpochMilli(), deprecated.timestamp());
    assertTrue(Files.isDirectory(store.versionDir("m", "1.1.0")), "kept for rollback");

    // A deprecated version may come back (what a rollback will do).
    reg.promote("m", "1.1.0", Stage.PRODUCTION, "ops", "rollback");
    assertEquals(Stage.DEPRECATED, reg.stageOf("m", "1.2.0"));
    assertEquals("1.2.0", events.readSince(4).get(0).previousVersion());
  }

  @Test
  void replacingTheStagingVersionSendsTheOldOneBackToDevelopment() {
    ModelRegistry reg = registry();
    reg.register(request("m", "1.0.0"));
    reg.register(request("m", "2.0.0"));
    reg.promote("m", "1.0.0", Stage.STAGING, "ops", null);
    reg.promote("m", "2.0.0", Stage.STAGING, "ops", null);
    assertEquals(Stage.DEVELOPMENT, reg.stageOf("m", "1.0.0"));
    assertEquals(Stage.STAGING, reg.stageOf("m", "2.0.0"));
    assertEquals("1.0.0", events.readSince(3).get(0).previousVersion());
  }

  @Test
  void promotingUnknownModelOrVersionIsNotFound() {
    registry().register(request("m", "1.0.0"));
    NotFoundException e = assertThrows(NotFoundException.class,
        () -> registry().promote("m", "9.9.9", Stage.PRODUCTION, "ops", null));
    assertTrue(e.getMessage().contains("9.9.9"), e.getMessage());
    assertThrows(NotFoundException.class,
        () -> registry().promote("nope", "1.0.0", Stage.PRODUCTION, "ops", null));
    assertFalse(Files.exists(storeRoot.resolve("m/production"), LinkOption.NOFOLLOW_LINKS));
    assertEquals(1, events.readSince(0).size());
  }

  @Test
  void illegalTransitionsAreRefused() {
    ModelRegistry reg = registry();
    reg.register(request("m", "1.0.0"));
    for (Stage target : List.of(Stage.DEVELOPMENT, Stage.DEPRECATED, Stage.ARCHIVED)) {
      InvalidRequestException e = assertThrows(InvalidRequestException.class,
          () -> reg.promote("m", "1.0.0", target, "ops", null));
      assertTrue(e.getMessage().contains("allowed targets: Staging, Production"), e.getMessage());
    }
    reg.promote("m", "1.0.0", Stage.PRODUCTION, "ops", null);
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> reg.promote("m", "1.0.0", Stage.PRODUCTION, "ops", null));
    assertTrue(e.getMessage().contains("already in Production"), e.getMessage());
    e = assertThrows(InvalidRequestException.class,
        () -> reg.promote("m", "1.0.0", Stage.STAGING, "ops", null));
    assertTrue(e.getMessage().contains("is in Production"), e.getMessage());
    assertEquals(2, events.readSince(0).size());
  }

  @Test
  void productionPointerIsRelativeAndTheArtifactResolvesThroughIt() throws Exception {
    registry().register(request("m", "1.0.0"));
    registry().promote("m", "1.0.0", Stage.PRODUCTION, "ops", null);
    Path link = storeRoot.resolve("m/production");
    assertTrue(Files.isSymbolicLink(link));
    Path target = Files.readSymbolicLink(link);
    assertFalse(target.isAbsolute());
    assertEquals(Path.of("versions", "1.0.0"), target);
    assertEquals(List.of(WEIGHTS.length),
        List.of(Files.readAllBytes(link.resolve("model.pt")).length));
    // The pointer survives moving the whole store, because it is relative.
    Path moved = Files.move(storeRoot, tmp.resolve("moved"));
    assertTrue(Files.isRegularFile(moved.resolve("m/production/model.pt")));
  }

  @Test
  void fromManifestFileTakesTheArtifactAndExamplesBesideIt() throws Exception {
    Manifest source = new Manifest("curve_forecaster", "1.0.0", "torchscript", "model.pt",
        "pytorch_libtorch", null, "run42", SIGNATURE, new ServingConfig(16, 100, 64, 1, "cpu", 2),
        Map.of("hidden", 64), Map.of(), "demo", T0.minusSeconds(3600));
    ManifestCodec.write(new io.mlserve.store.AtomicFiles(io.mlserve.store.FileOps.DEFAULT), src.resolve("model.json"), source);

    RegisterRequest req = RegisterRequest.fromManifestFile(src.resolve("model.json"), "demo");
    assertEquals(src.toAbsolutePath().resolve("model.pt"), req.artifact());
    assertEquals(src.toAbsolutePath().resolve("examples.json"), req.examples());
    assertEquals("demo", req.actor());

    Manifest m = registry().register(req);
    assertEquals(source.serving(), m.serving());
    assertEquals("run42", m.runId());
    assertEquals(T0, m.createdAt(), "created_at is the registration time");
    assertTrue(Files.isRegularFile(store.versionDir("curve_forecaster", "1.0.0")
        .resolve("examples.json")));

    Files.delete(src.resolve("examples.json"));
    assertNull(RegisterRequest.fromManifestFile(src.resolve("model.json"), "demo").examples());
  }

  @Test
  void registersTheCommittedDemoModel() throws Exception {
    Path demo = Path.of("../examples/curve_forecaster/model.json");
    assertTrue(Files.isRegularFile(demo), "run from the registry-admin module directory");
    Manifest m = registry().register(RegisterRequest.fromManifestFile(demo, "demo"));
    registry().promote(m.name(), m.version(), Stage.PRODUCTION, "demo", "demo setup");
    assertEquals("curve_forecaster", m.name());
    assertEquals(List.of(new TensorSpec("curve", "FP32", List.of(-1L, 24L))),
        m.signature().inputs());
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(demo.resolveSibling("model.pt"))));
    assertEquals(sha, m.sha256());
    assertTrue(Files.isRegularFile(storeRoot.resolve("curve_forecaster/production/model.pt")));
    assertTrue(Files.isRegularFile(
        storeRoot.resolve("curve_forecaster/production/examples.json")));
  }
}
