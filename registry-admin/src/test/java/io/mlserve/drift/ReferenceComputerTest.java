package io.mlserve.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.dataset.DatasetBatch;
import io.mlserve.dataset.DatasetFormat;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.experiments.RunStore;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.InvalidRequestException;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.store.EventLog;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reference profiles computed at registration and for existing versions, over a real store,
 * with a test engine that answers {@code y = 2 * x[0] + x[1]} (the server's real engine is
 * exercised by the server's ReferenceRegistrationIT).
 */
class ReferenceComputerTest {
  static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  static final Signature SIG = new Signature(
      List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
      List.of(new TensorSpec("y", "FP32", List.of(-1L, 1L))));

  @TempDir Path tmp;
  EventLog events;
  ModelRegistry registry;
  ModelStore store;
  DatasetStore datasets;
  RunStore runs;
  final List<String> opened = new ArrayList<>();
  int closed;

  /** y = 2 * x[0] + x[1]; fails on a row whose x[0] is negative. */
  final OutputPredictor engine = (dir, manifest) -> {
    opened.add(dir.getFileName().toString().startsWith(".") ? "temp" : dir.getFileName()
        .toString());
    return new OutputPredictor.Session() {
      @Override
      public List<double[]> predict(DatasetBatch batch) {
        double[] x = batch.inputs().get(0).toDoubles();
        double[] y = new double[batch.rows()];
        for (int r = 0; r < y.length; r++) {
          if (x[2 * r] < 0) {
            throw new IllegalStateException("the model refused row " + r);
          }
          y[r] = 2 * x[2 * r] + x[2 * r + 1];
        }
        return List.of(y);
      }

      @Override
      public void close() {
        closed++;
      }
    };
  };

  @BeforeEach
  void setUp() throws Exception {
    Path root = tmp.resolve("store");
    events = EventLog.open(root);
    store = ModelStore.open(root);
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    registry = new ModelRegistry(store, events, ArtifactValidator.none(), clock);
    registry.register(request("1.0.0"));
    datasets = new DatasetStore(registry, clock, DatasetLimits.defaults());
    runs = new RunStore(store, events, clock);
    StringBuilder rows = new StringBuilder();
    for (int i = 1; i <= 10; i++) { // x = [i, 1]: y = 2i + 1, 3..21
      rows.append("{\"input\": [").append(i).append(", 1], \"label\": 0}\n");
    }
    datasets.add("m", "train", DatasetFormat.JSONL,
        new ByteArrayInputStream(rows.toString().getBytes(StandardCharsets.UTF_8)), null, "bob");
    datasets.add("m", "bad", DatasetFormat.JSONL, new ByteArrayInputStream(
        "{\"input\": [1, 1], \"label\": 0}\n{\"input\": [-1, 1], \"label\": 0}\n"
            .getBytes(StandardCharsets.UTF_8)), null, "bob");
  }

  @AfterEach
  void tearDown() {
    events.close();
  }

  RegisterRequest request(String version) throws Exception {
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    return new RegisterRequest("m", version, artifact, "torchscript", SIG, null, null, null,
        null, null, null, "alice");
  }

  ReferenceComputer computer(OutputPredictor e, long maxRows) {
    return new ReferenceComputer(store, datasets, runs, e, Clock.fixed(NOW, ZoneOffset.UTC),
        maxRows);
  }

  List<String> versionDirEntries() throws Exception {
    try (Stream<Path> s = Files.list(tmp.resolve("store/m/versions"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void registrationProfilesInputsAndTheEnginesOutputsBeforeTheVersionIsVisible()
      throws Exception {
    ReferenceComputer refs = computer(engine, ReferenceComputer.DEFAULT_MAX_ROWS);
    RegisterRequest req = request("1.1.0");
    Manifest m = registry.register(req.withBeforeInstall(
        refs.step("m", "1.1.0", SIG, "train")));
    assertEquals(List.of("temp"), opened); // the engine ran on the directory not yet visible
    assertEquals(1, closed);
    ReferenceProfile p = refs.get("m", m.version()).orElseThrow();
    assertEquals("1.1.0", p.version());
    assertEquals(10, p.rows());
    assertEquals(NOW.toEpochMilli(), p.createdMillis());
    assertTrue(p.source().startsWith("dataset:train@"), p.source());
    FeatureProfile y = p.outputs().get(0);
    assertEquals("y", y.name());
    assertEquals(12, y.mean(), 1e-12); // 2 * 5.5 + 1
    assertEquals(3, y.min(), 0);
    assertEquals(21, y.max(), 0);
    assertEquals(2 * Math.sqrt(8.25), y.std(), 1e-12);
    // the deciles of 3, 5, .., 21 (type 7): twice those of 1..10, plus 1
    assertArrayEquals(new double[] {4.8, 6.6, 8.4, 10.2, 12, 13.8, 15.6, 17.4, 19.2},
        y.edges(), 1e-12);
  }

  @Test
  void aVersionThatFailsOnTheRowsIsNotRegisteredAndLeavesNothing() throws Exception {
    ReferenceComputer refs = computer(engine, ReferenceComputer.DEFAULT_MAX_ROWS);
    List<String> before = versionDirEntries();
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> registry.register(request("1.1.0").withBeforeInstall(
            refs.step("m", "1.1.0", SIG, "bad"))));
    assertTrue(e.getMessage().startsWith("reference dataset:bad@"), e.getMessage());
    assertTrue(e.getMessage().endsWith(": the model refused row 1 (m:1.1.0 was not"
        + " registered)"), e.getMessage());
    assertEquals(1, closed); // the loaded version was freed
    assertEquals(before, versionDirEntries());
    assertFalse(store.hasVersion("m", "1.1.0"));
  }

  @Test
  void withoutAnEngineOnlyTheInputsAreProfiled() throws Exception {
    ReferenceComputer refs = computer(null, ReferenceComputer.DEFAULT_MAX_ROWS);
    assertFalse(refs.profilesOutputs());
    ReferenceProfile p = refs.set("m", "1.0.0", "train", false);
    assertEquals(List.of(), p.outputs());
    assertEquals(2, p.inputs().size());
    assertEquals(p.source(), ReferenceJson.read(store.versionDir("m", "1.0.0")).orElseThrow()
        .source());
  }

  @Test
  void theRowsReadAreBounded() throws Exception {
    ReferenceProfile p = computer(engine, 4).set("m", "1.0.0", "train", false);
    assertEquals(4, p.rows());
    assertEquals(2.5, p.inputs().get(0).mean(), 1e-12); // rows 1..4
  }

  @Test
  void aBumpedVersionRenumberedUnderTheLockHasItsProfileRenumbered() throws Exception {
    ReferenceComputer refs = computer(engine, ReferenceComputer.DEFAULT_MAX_ROWS);
    var step = refs.step("m", "1.1.0", SIG, "train");
    Path dir = Files.createDirectories(tmp.resolve("store/m/versions/.tmp-test"));
    Manifest m = store.manifest("m", "1.0.0");
    step.run(dir, m);
    assertEquals("1.0.0", ReferenceJson.read(dir).orElseThrow().version());
    Manifest renumbered = new Manifest(m.name(), "1.2.0", m.format(), m.artifact(),
        m.platform(), m.sha256(), m.runId(), m.signature(), m.serving(), m.params(),
        m.metrics(), m.description(), m.createdAt());
    step.renumbered(dir, renumbered);
    ReferenceProfile p = ReferenceJson.read(dir).orElseThrow();
    assertEquals("1.2.0", p.version());
    assertEquals(10, p.rows());
  }
}
