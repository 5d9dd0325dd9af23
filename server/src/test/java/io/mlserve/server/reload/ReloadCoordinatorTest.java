package io.mlserve.server.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ModelMetadataRequest;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Event;
import io.mlserve.store.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload with the real engine: swaps, refused broken versions, the guard's rollback, and
 * zero failed requests while Production flips back and forth under load.
 */
class ReloadCoordinatorTest {
  private static final String MODEL = "curve_forecaster";
  private static final Path FIXTURES = Path.of("src/test/resources/models");

  @TempDir Path dir;
  private ServerFixture f;
  private GuardPolicy guardPolicy = GuardPolicy.defaults();

  @BeforeEach
  void setUp() throws Exception {
    f = new ServerFixture(dir, m -> guardPolicy, false);
    f.registerDemo("1.0.0", true);
    f.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
    f.server.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  private ModelInferResponse call(GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub)
      throws Exception {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (float v : DemoModel.row(DemoModel.examples().get("inputs"), 0)) {
      c.addFp32Contents(v);
    }
    return stub.modelInfer(ModelInferRequest.newBuilder().setModelName(MODEL)
        .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
            .addShape(1).addShape(24).setContents(c))
        .build());
  }

  /**
   * Retirement (drain, then close) runs on its own thread: waits for it on the condition itself,
   * for as long as a loaded machine may need, not for a fixed time that a slow run outlasts.
   */
  private static void awaitClosed(ServedModel old) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!old.closed() && System.nanoTime() < deadline) {
      Thread.sleep(10); // polling interval only
    }
    assertTrue(old.closed(), "old version must be drained and closed");
  }

  private List<String> eventTypes() {
    return f.events.readSince(0).stream().map(Event::eventType).toList();
  }

  @Test
  void promotionSwapsAndClosesTheOldVersion() throws Exception {
    ServedModel old = f.router.defaultVersion(MODEL);
    f.registerDemo("1.1.0", true);
    f.registry.promote(MODEL, "1.1.0", Stage.PRODUCTION, "test", "new");
    f.server.coordinator().reconcileNow(MODEL);
    assertEquals("1.1.0", f.router.defaultVersion(MODEL).version());
    var stub = GRPCInferenceServiceGrpc.newBlockingStub(f.channel);
    assertEquals("1.1.0", call(stub).getModelVersion());
    assertEquals(List.of("1.1.0"), stub.modelMetadata(
        ModelMetadataRequest.newBuilder().setName(MODEL).build()).getVersionsList());
    awaitClosed(old);
    assertEquals("SERVING", f.server.coordinator().statuses().get(MODEL).state());
  }

  @Test
  void stagingIsServedByStage() throws Exception {
    f.registerDemo("1.1.0", true);
    f.registry.promote(MODEL, "1.1.0", Stage.STAGING, "test", "try it");
    f.server.coordinator().reconcileNow(MODEL);
    assertEquals("1.1.0", f.router.staging(MODEL).version());
    assertEquals("1.0.0", f.router.defaultVersion(MODEL).version());
    // Promoting the Staging version reuses the loaded instance.
    ServedModel staged = f.router.staging(MODEL);
    f.registry.promote(MODEL, "1.1.0", Stage.PRODUCTION, "test", "ship");
    f.server.coordinator().reconcileNow(MODEL);
    assertTrue(staged == f.router.defaultVersion(MODEL));
    assertNull(f.router.staging(MODEL));
  }

  @Test
  void promotingAStagingVersionUnloadedWhileIdleLoadsItBeforeTheSwap() throws Exception {
    RegisterRequest demo = RegisterRequest.fromManifestFile(
        DemoModel.dir().resolve("model.json"), "test");
    f.registry.register(new RegisterRequest(demo.model(), "1.1.0", demo.artifact(),
        demo.format(), demo.signature(), demo.serving().withIdleUnloadSeconds(1), null,
        demo.params(), demo.metrics(), demo.description(), null, "test"));
    f.registry.promote(MODEL, "1.1.0", Stage.STAGING, "test", "try it");
    f.server.coordinator().reconcileNow(MODEL);
    ServedModel staged = f.router.staging(MODEL);
    // The server's idle sweep (once a second) unloads it: wait on the state itself.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!staged.loadState().equals("unloaded") && System.nanoTime() < deadline) {
      Thread.sleep(10); // polling interval only
    }
    assertEquals("unloaded", staged.loadState());
    assertEquals("1.0.0", f.router.defaultVersion(MODEL).version(), "Production stays");
    assertTrue(f.router.defaultVersion(MODEL).loaded());

    f.registry.promote(MODEL, "1.1.0", Stage.PRODUCTION, "test", "ship");
    f.server.coordinator().reconcileNow(MODEL);
    assertTrue(staged == f.router.defaultVersion(MODEL));
    assertTrue(staged.loaded(), "loaded before the swap: Production never waits for a load");
    assertEquals(1, staged.metrics().reloads());
    assertEquals("1.1.0", call(GRPCInferenceServiceGrpc.newBlockingStub(f.channel))
        .getModelVersion());
  }

  private void assertRefusedAndRolledBack(String version, String reasonPart) throws Exception {
    f.registry.promote(MODEL, version, Stage.PRODUCTION, "test", "bad idea");
    f.server.coordinator().reconcileNow(MODEL);
    assertEquals("1.0.0", f.router.defaultVersion(MODEL).version());
    assertEquals("1.0.0", f.store.stageVersion(MODEL, Stage.PRODUCTION).orElseThrow(),
        "the registry's Production pointer is rolled back");
    List<String> types = eventTypes();
    assertTrue(types.contains(Event.RELOAD_FAILED) && types.contains(Event.ROLLED_BACK),
        types.toString());
    Event failed = f.events.readSince(0).stream()
        .filter(e -> e.eventType().equals(Event.RELOAD_FAILED)).reduce((a, b) -> b).orElseThrow();
    assertEquals(version, failed.version());
    ModelStatus status = f.server.coordinator().statuses().get(MODEL);
    assertTrue(status.reason() != null && status.reason().contains(reasonPart),
        status.toString());
    assertEquals("1.0.0", call(GRPCInferenceServiceGrpc.newBlockingStub(f.channel))
        .getModelVersion());
  }

  @Test
  void corruptArtifactIsRefusedAndRolledBack() throws Exception {
    Path junk = dir.resolve("junk.pt");
    Files.write(junk, "this is not a TorchScript archive".getBytes());
    f.registerArtifact("2.0.0", junk, null);
    assertRefusedAndRolledBack("2.0.0", "load failed");
  }

  @Test
  void modelAnsweringNanIsRefusedAndRolledBack() throws Exception {
    f.registerArtifact("2.0.0", FIXTURES.resolve("nan_output.pt"), null);
    assertRefusedAndRolledBack("2.0.0", "non-finite");
  }

  @Test
  void wrongOutputShapeIsRefusedAndRolledBack() throws Exception {
    f.registerArtifact("2.0.0", FIXTURES.resolve("wrong_shape.pt"), null);
    assertRefusedAndRolledBack("2.0.0", "shape");
  }

  @Test
  void goldenMismatchIsRefusedAndRolledBack() throws Exception {
    String ex = Files.readString(DemoModel.dir().resolve("examples.json"));
    // The real model, with one reference output moved by 5: the golden check must catch it.
    f.registerArtifact("2.0.0", DemoModel.dir().resolve("model.pt"), wrongGolden(ex));
    assertRefusedAndRolledBack("2.0.0", "golden");
  }

  private Path wrongGolden(String examplesJson) throws Exception {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    var root = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(examplesJson);
    var first = (com.fasterxml.jackson.databind.node.ArrayNode) root.get("outputs").get(0);
    first.set(0, mapper.getNodeFactory().numberNode(first.get(0).doubleValue() + 5.0));
    Path p = dir.resolve("wrong-golden.json");
    mapper.writeValue(p.toFile(), root);
    return p;
  }

  @Test
  void deprecatedVersionsLoadOnDemandWhenNamed() throws Exception {
    f.registerDemo("1.1.0", true);
    f.registry.promote(MODEL, "1.1.0", Stage.PRODUCTION, "test", "new");
    f.server.coordinator().reconcileNow(MODEL);
    ServedModel old = f.router.loaded(MODEL, "1.0.0");
    if (old != null) {
      awaitClosed(old); // retired, so the call below has to load 1.0.0 again
    }
    var stub = GRPCInferenceServiceGrpc.newBlockingStub(f.channel);
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (float v : DemoModel.row(DemoModel.examples().get("inputs"), 0)) {
      c.addFp32Contents(v);
    }
    ModelInferRequest req = ModelInferRequest.newBuilder().setModelName(MODEL)
        .setModelVersion("1.0.0")
        .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
            .addShape(1).addShape(24).setContents(c))
        .build();
    assertEquals("1.0.0", stub.modelInfer(req).getModelVersion(), "Deprecated 1.0.0 loads");
    assertEquals("1.1.0", call(stub).getModelVersion(), "Production is untouched");
    // A version that does not exist stays NOT_FOUND.
    io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
        io.grpc.StatusRuntimeException.class,
        () -> stub.modelInfer(req.toBuilder().setModelVersion("9.9.9").build()));
    assertEquals(io.grpc.Status.Code.NOT_FOUND, e.getStatus().getCode());
  }

  @Test
  void guardRollsBackOnErrorRate() throws Exception {
    guardPolicy = new GuardPolicy(Duration.ofMinutes(5), 0.01, Duration.ofMillis(200), 20);
    f.registerDemo("1.1.0", true);
    f.registry.promote(MODEL, "1.1.0", Stage.PRODUCTION, "test", "new");
    f.server.coordinator().reconcileNow(MODEL);
    ServedModel fresh = f.router.defaultVersion(MODEL);
    assertEquals(1, f.server.guard().watching());
    // 3 failures in 100 requests: 3% > 1%.
    for (int i = 0; i < 100; i++) {
      fresh.metrics().requestStarted();
      fresh.metrics().requestFinished(1_000_000, i < 3 ? InferenceException.Kind.INTERNAL : null);
    }
    f.server.guard().checkNow();
    f.server.coordinator().reconcileNow(MODEL);
    assertEquals("1.0.0", f.router.defaultVersion(MODEL).version());
    assertEquals("1.0.0", f.store.stageVersion(MODEL, Stage.PRODUCTION).orElseThrow());
    assertTrue(f.server.coordinator().statuses().get(MODEL).reason().contains("error rate"));
    assertTrue(eventTypes().contains(Event.RELOAD_FAILED));
  }

  @Test
  void guardLeavesAHealthyVersionAlone() throws Exception {
    f.registerDemo("1.1.0", true);
    f.registry.promote(MODEL, "1.1.0", Stage.PRODUCTION, "test", "new");
    f.server.coordinator().reconcileNow(MODEL);
    ServedModel fresh = f.router.defaultVersion(MODEL);
    for (int i = 0; i < 100; i++) {
      fresh.metrics().requestStarted();
      fresh.metrics().requestFinished(1_000_000, null);
    }
    f.server.guard().checkNow();
    f.server.coordinator().reconcileNow(MODEL);
    assertEquals("1.1.0", f.router.defaultVersion(MODEL).version());
  }

  @Test
  void fiftyPromotionsUnderLoadFailNoRequest() throws Exception {
    f.registerDemo("1.1.0", true);
    var stub = GRPCInferenceServiceGrpc.newBlockingStub(f.channel);
    // Timeline: swaps[i] = {ticker time the swap finished, version now Production}.
    List<long[]> swapTimes = new ArrayList<>();
    List<String> swapVersions = new ArrayList<>();
    swapTimes.add(new long[] {System.nanoTime()});
    swapVersions.add("1.0.0");
    record Answer(long sent, long received, String version, Throwable error) {}
    ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread c = new Thread(() -> {
        while (!stop.get()) {
          long sent = System.nanoTime();
          try {
            String v = call(stub).getModelVersion();
            answers.add(new Answer(sent, System.nanoTime(), v, null));
          } catch (Throwable e) {
            answers.add(new Answer(sent, System.nanoTime(), null, e));
          }
        }
      });
      c.start();
      clients.add(c);
    }
    for (int i = 0; i < 50; i++) {
      String v = i % 2 == 0 ? "1.1.0" : "1.0.0";
      long before = System.nanoTime();
      f.registry.promote(MODEL, v, Stage.PRODUCTION, "test", "flip " + i);
      f.server.coordinator().reconcileNow(MODEL);
      swapTimes.add(new long[] {before, System.nanoTime()});
      swapVersions.add(v);
    }
    stop.set(true);
    for (Thread c : clients) {
      c.join();
    }
    long failed = answers.stream().filter(a -> a.error() != null).count();
    assertEquals(0, failed, () -> "failed: " + answers.stream().filter(a -> a.error() != null)
        .findFirst().map(a -> a.error().toString()).orElse(""));
    assertTrue(answers.size() > 100, "too little load to prove anything: " + answers.size());
    // Each answer names a version that was Production at some point while it was in flight.
    for (Answer a : answers) {
      boolean ok = false;
      for (int i = 0; i < swapVersions.size() && !ok; i++) {
        long start = i == 0 ? 0 : swapTimes.get(i)[0];
        long end = i + 1 < swapVersions.size() ? swapTimes.get(i + 1)[1] : Long.MAX_VALUE;
        ok = swapVersions.get(i).equals(a.version()) && a.sent() <= end && a.received() >= start;
      }
      assertTrue(ok, "answer from " + a.version() + " was not Production while in flight");
    }
  }
}
