package io.mlserve.server.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.PrometheusText;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.serving.ModelRef;
import io.mlserve.server.serving.RequestContext;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeEngine;
import io.mlserve.server.testing.FakeModels;
import io.mlserve.server.testing.FakeRunner;
import io.mlserve.server.testing.FakeTicker;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.TrafficSplit;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle unload and reload on demand over real batchers, a fake engine and a fake clock: loads and
 * drains run on a queue the test runs ({@link #runLoads}), so every step is deterministic.
 */
class IdleUnloaderTest {
  private static final int IDLE_SECONDS = 60;

  @TempDir Path dir;

  private final FakeTicker ticker = new FakeTicker();
  private final MetricsRegistry metrics = new MetricsRegistry();
  private final ModelRouter router = new ModelRouter(metrics);
  private final Queue<Runnable> loads = new ArrayDeque<>();
  private final AtomicInteger runnersMade = new AtomicInteger();
  private final AtomicBoolean engineBroken = new AtomicBoolean();
  private final List<ServedModel> loaded = new ArrayList<>();
  private ModelLoader loader;
  private IdleUnloader idle;
  private InferenceService service;

  @BeforeEach
  void setUp() {
    Executor queued = loads::add;
    FakeEngine engine = new FakeEngine("fake", () -> {
      if (engineBroken.get()) {
        throw new IllegalStateException("weights of /srv/secret/model.pt are corrupt");
      }
      runnersMade.incrementAndGet();
      return new FakeRunner();
    });
    loader = new ModelLoader(List.of(engine), ticker, Function.identity(), metrics,
        Telemetry.disabled()).withReloadExecutor(queued);
    idle = new IdleUnloader(router, ticker, Runnable::run);
    service = new InferenceService(router, ticker);
  }

  @AfterEach
  void tearDown() {
    loaded.forEach(ServedModel::close);
    runLoads();
  }

  private ServedModel load(String version, int idleSeconds) throws Exception {
    ServedModel served = loader.load(dir, withIdle(version, idleSeconds));
    loaded.add(served);
    return served;
  }

  private static Manifest withIdle(String version, int idleSeconds) {
    Manifest m = FakeModels.manifest("m", version);
    return new Manifest(m.name(), m.version(), m.format(), m.artifact(),
        m.platform(), m.sha256(), m.runId(), m.signature(),
        ServingConfig.defaults().withIdleUnloadSeconds(idleSeconds), m.params(), m.metrics(),
        m.description(), m.createdAt());
  }

  /** Runs the queued loads and drains (and any they queue), in order. */
  private void runLoads() {
    Runnable r;
    while ((r = loads.poll()) != null) {
      r.run();
    }
  }

  /** A Staging version 1.1.0, unloaded after being idle. */
  private ServedModel unloadedStaging() throws Exception {
    ServedModel staging = load("1.1.0", IDLE_SECONDS);
    router.setStaging("m", staging);
    idleFor(IDLE_SECONDS);
    assertEquals(List.of("m:1.1.0"), idle.sweep());
    runLoads();
    return staging;
  }

  private CompletableFuture<Tensor[]> request(String version) {
    return service.infer(ModelRef.fromVersionField("m", version),
        List.of(FakeRunner.rows(1, 1)), RequestContext.of(Long.MAX_VALUE, "test"))
        .thenApply(a -> a.outputs());
  }

  private static void assertDoubled(CompletableFuture<Tensor[]> answer) throws Exception {
    Tensor[] out = answer.get(10, TimeUnit.SECONDS);
    assertArrayEquals(new float[] {2, 4}, FakeRunner.floats(out[0]));
  }

  private void idleFor(int seconds) {
    ticker.advance(seconds, TimeUnit.SECONDS);
  }

  @Test
  void unloadsAnIdleStagingVersionOnlyAfterItsTimeoutAndReloadsItOnTheNextRequest()
      throws Exception {
    ServedModel prod = load("1.0.0", IDLE_SECONDS);
    ServedModel staging = load("1.1.0", IDLE_SECONDS);
    router.put(prod, true);
    router.setStaging("m", staging);
    int before = runnersMade.get();

    idleFor(IDLE_SECONDS - 1);
    assertEquals(List.of(), idle.sweep(), "not idle long enough yet");
    idleFor(1);
    assertEquals(List.of("m:1.1.0"), idle.sweep(), "Production is never unloaded");
    assertEquals("unloading", staging.loadState());
    runLoads();
    assertEquals("unloaded", staging.loadState());
    assertFalse(staging.loaded());
    assertFalse(staging.closed(), "unloaded, not retired: the router still routes to it");
    assertEquals(0, staging.instances());
    assertEquals(0, staging.metrics().loaded());
    assertEquals(1, staging.metrics().unloads());
    assertTrue(prod.loaded());

    CompletableFuture<Tensor[]> answer = request("Staging");
    assertFalse(answer.isDone(), "waits for the load");
    assertEquals("loading", staging.loadState());
    runLoads();
    assertDoubled(answer);
    assertEquals("loaded", staging.loadState());
    assertEquals(1, staging.metrics().loaded());
    assertEquals(1, staging.metrics().reloads());
    assertEquals(before + 1, runnersMade.get(), "one load: engine, warm-up, health check");
    assertEquals(1, staging.metrics().outcomeCount(0), "the waiting request counted once, ok");

    String text = new PrometheusText(metrics, () -> true).render();
    assertTrue(text.contains("mlserve_model_loaded{model=\"m\",version=\"1.1.0\"} 1"), text);
    assertTrue(text.contains("mlserve_model_unloads_total{model=\"m\",version=\"1.1.0\"} 1"));
    assertTrue(text.contains("mlserve_model_reloads_total{model=\"m\",version=\"1.1.0\"} 1"));
    assertTrue(text.contains("mlserve_model_unloads_total{model=\"m\",version=\"1.0.0\"} 0"));
  }

  @Test
  void aRequestResetsTheIdleTimeAndZeroMeansNever() throws Exception {
    ServedModel staging = load("1.1.0", IDLE_SECONDS);
    ServedModel never = load("0.9.0", 0);
    router.setStaging("m", staging);
    router.put(never, false);
    idleFor(IDLE_SECONDS - 1);
    assertDoubled(request("1.1.0"));
    idleFor(IDLE_SECONDS - 1);
    assertEquals(List.of(), idle.sweep(), "59 s since its last request");
    idleFor(100_000);
    assertEquals(List.of("m:1.1.0"), idle.sweep(), "0.9.0 has timeout 0: never unloaded");
    runLoads();
    assertTrue(never.loaded());
  }

  @Test
  void productionAndEverySplitArmAreExemptButOtherVersionsAndShadowsAreNot() throws Exception {
    ServedModel prod = load("1.0.0", IDLE_SECONDS);
    ServedModel stable = load("1.1.0", IDLE_SECONDS);
    ServedModel candidate = load("1.2.0", IDLE_SECONDS);
    ServedModel deprecated = load("0.9.0", IDLE_SECONDS);
    ServedModel shadow = load("1.3.0", IDLE_SECONDS);
    router.put(prod, true);
    router.put(stable, false);
    router.put(candidate, false);
    router.put(deprecated, false);
    router.setShadow("m", shadow);
    Map<String, ServedModel> byVersion = Map.of("1.1.0", stable, "1.2.0", candidate);
    router.setArms("m", ArmTable.of("7", TrafficSplit.parse("1.1.0=90,1.2.0=10"),
        byVersion::get));
    idleFor(IDLE_SECONDS);
    assertEquals(List.of("m:0.9.0", "m:1.3.0"), idle.sweep());
    runLoads();
    assertTrue(prod.loaded() && stable.loaded() && candidate.loaded());
    assertFalse(deprecated.loaded());
    assertFalse(shadow.loaded());
  }

  @Test
  void aShadowInstancesUnloadsAndReloadsShowInMetricsApartFromItsVersion() throws Exception {
    ServedModel prod = load("1.0.0", IDLE_SECONDS);
    ServedModel routed = load("1.1.0", IDLE_SECONDS);
    ServedModel shadow = loader.loadBackground(dir, withIdle("1.1.0", IDLE_SECONDS));
    loaded.add(shadow);
    router.put(prod, true);
    router.put(routed, false);
    router.setShadow("m", shadow);
    String loadedLine = "mlserve_model_loaded{model=\"m\",version=\"1.1.0\",role=\"shadow\"} ";
    String unloads = "mlserve_model_unloads_total{model=\"m\",version=\"1.1.0\",role=\"shadow\"} ";
    String reloads = "mlserve_model_reloads_total{model=\"m\",version=\"1.1.0\",role=\"shadow\"} ";
    String text = new PrometheusText(metrics, () -> true).render();
    assertTrue(text.contains(loadedLine + "1\n") && text.contains(unloads + "0\n")
        && text.contains(reloads + "0\n"), text);

    idleFor(IDLE_SECONDS);
    assertEquals(List.of("m:1.1.0", "m:1.1.0"), idle.sweep(), "the routed 1.1.0 and the shadow");
    runLoads();
    CompletableFuture<Tensor[]> copy = shadow.infer(List.of(FakeRunner.rows(1, 1)),
        Long.MAX_VALUE);
    runLoads();
    assertDoubled(copy);
    assertFalse(routed.loaded(), "the shadow's reload is its own");
    text = new PrometheusText(metrics, () -> true).render();
    assertTrue(text.contains(loadedLine + "1\n"), text);
    assertTrue(text.contains(unloads + "1\n"), text);
    assertTrue(text.contains(reloads + "1\n"), text);
    assertTrue(text.contains("mlserve_model_loaded{model=\"m\",version=\"1.1.0\"} 0\n"), text);
    assertTrue(text.contains("mlserve_model_unloads_total{model=\"m\",version=\"1.1.0\"} 1\n"));
    assertTrue(text.contains("mlserve_model_reloads_total{model=\"m\",version=\"1.1.0\"} 0\n"),
        "the routed version's series count only its own reloads");
    int family = text.indexOf("# TYPE mlserve_model_unloads_total");
    int next = text.indexOf("# TYPE", family + 1);
    assertTrue(text.indexOf(unloads) > family && text.indexOf(unloads) < next,
        "the shadow's line is in its family, under one TYPE line");

    idleFor(IDLE_SECONDS);
    idle.sweep();
    runLoads();
    assertTrue(new PrometheusText(metrics, () -> true).render().contains(loadedLine + "0\n"));
    router.setShadow("m", null);
    assertFalse(new PrometheusText(metrics, () -> true).render().contains(",role=\"shadow\"}"),
        "a stopped shadow's instance is gone from /metrics");
  }

  @Test
  void concurrentRequestsShareOneLoad() throws Exception {
    ServedModel staging = unloadedStaging();
    int before = runnersMade.get();
    List<CompletableFuture<Tensor[]>> answers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      answers.add(request(i % 2 == 0 ? "Staging" : "1.1.0"));
    }
    assertEquals(1, loads.size(), "one load queued for eight requests");
    runLoads();
    for (CompletableFuture<Tensor[]> a : answers) {
      assertDoubled(a);
    }
    assertEquals(before + 1, runnersMade.get());
    assertEquals(1, staging.metrics().reloads());
  }

  @Test
  void aRequestThatComesWhileTheEngineDrainsWaitsForTheLoadAfterIt() throws Exception {
    ServedModel staging = load("1.1.0", IDLE_SECONDS);
    router.setStaging("m", staging);
    idleFor(IDLE_SECONDS);
    idle.sweep();
    assertEquals("unloading", staging.loadState());
    CompletableFuture<Tensor[]> answer = request("Staging");
    assertFalse(answer.isDone());
    runLoads(); // the drain, then the load it queued
    assertDoubled(answer);
    assertEquals(1, staging.metrics().unloads());
    assertEquals(1, staging.metrics().reloads());
  }

  @Test
  void aFailedReloadIsUnavailableNamingTheVersionAndRetriedOnlyAfterTheBackoff()
      throws Exception {
    ServedModel staging = unloadedStaging();
    engineBroken.set(true);

    CompletableFuture<Tensor[]> first = request("Staging");
    runLoads();
    InferenceException e = failure(first);
    assertEquals(InferenceException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().startsWith("version '1.1.0' of model 'm' was unloaded while idle"
        + " and could not be loaded again: "), e.getMessage());
    assertFalse(e.getMessage().contains("/srv/secret"), "no server paths: " + e.getMessage());
    assertFalse(e.getMessage().contains("Exception"), "no class names: " + e.getMessage());
    assertEquals("failed", staging.loadState());

    CompletableFuture<Tensor[]> again = request("Staging");
    assertTrue(loads.isEmpty(), "no new load within the backoff: no tight loop");
    assertEquals(e.getMessage(), failure(again).getMessage());

    ticker.advance(EngineSlot.RETRY_AFTER_NANOS, TimeUnit.NANOSECONDS);
    engineBroken.set(false);
    CompletableFuture<Tensor[]> later = request("Staging");
    assertEquals(1, loads.size(), "a request after the backoff tries again");
    runLoads();
    assertDoubled(later);
    assertEquals(1, staging.metrics().reloads());
    assertEquals(2, staging.metrics().outcomeCount(
        InferenceException.Kind.UNAVAILABLE.ordinal() + 1));
  }

  @Test
  void aRequestWhoseDeadlinePassesDuringTheLoadGetsDeadlineExceededAndTheLoadGoesOn()
      throws Exception {
    ServedModel staging = unloadedStaging();
    CompletableFuture<Tensor[]> hurried = service.infer(ModelRef.fromVersionField("m", "Staging"),
        List.of(FakeRunner.rows(1, 1)), RequestContext.of(ticker.nanoTime() + 1_000_000, "test"))
        .thenApply(a -> a.outputs());
    assertEquals(InferenceException.Kind.DEADLINE_EXCEEDED, failure(hurried).kind());
    assertEquals("loading", staging.loadState());
    runLoads();
    assertDoubled(request("Staging"));
    assertEquals(1, staging.metrics().outcomeCount(
        InferenceException.Kind.DEADLINE_EXCEEDED.ordinal() + 1));
    assertEquals(0, staging.metrics().inFlight());
  }

  @Test
  void aRetiredVersionIsNotLoadedAgain() throws Exception {
    ServedModel staging = load("1.1.0", IDLE_SECONDS);
    idleFor(IDLE_SECONDS);
    router.setStaging("m", staging);
    idle.sweep();
    runLoads();
    staging.close();
    assertTrue(staging.closed());
    assertEquals("closed", staging.loadState());
    InferenceException e = assertThrows(InferenceException.class,
        () -> staging.infer(List.of(FakeRunner.rows(1, 1)), Long.MAX_VALUE));
    assertEquals(InferenceException.Kind.UNAVAILABLE, e.kind());
    assertTrue(loads.isEmpty());
  }

  private static InferenceException failure(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> f.get(10, TimeUnit.SECONDS));
    return assertInstanceOf(InferenceException.class, e.getCause());
  }
}
