package io.mlserve.server.shadow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.serving.Answer;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.serving.ModelRef;
import io.mlserve.server.serving.RequestContext;
import io.mlserve.server.serving.RequestIds;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeModels;
import io.mlserve.server.testing.FakeRunner;
import io.mlserve.server.testing.Sockets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade, and the whole path as the server wires it: the serving entry point answers from
 * the primary and its answer listener offers each answer to the shadow.
 */
@Timeout(60)
class ShadowsTest {
  @TempDir Path dir;

  private final List<ControlledRunner> shadowRunners = new ArrayList<>();
  private final List<ServedModel> loaded = new ArrayList<>();
  private final Shadows shadows = new Shadows(Ticker.system(), Clock.systemUTC());
  /** The inputs of each request by id: what the server's listener will have at hand. */
  private final Map<String, List<Tensor>> inputs = new ConcurrentHashMap<>();
  private ServedModel primary;
  private ServedModel shadow;
  private InferenceService service;

  @BeforeEach
  void setUp() throws Exception {
    primary = track(new FakeModels(dir, Ticker.system(), new MetricsRegistry()).load("m", "1.0.0"));
    shadow = track(new FakeModels(dir, Ticker.system(), new MetricsRegistry(), () -> {
      ControlledRunner r = new ControlledRunner();
      synchronized (shadowRunners) {
        shadowRunners.add(r);
      }
      return r;
    }).load("m", "2.0.0"));
    ModelRouter router = new ModelRouter(new MetricsRegistry());
    router.put(primary, true);
    service = new InferenceService(router, Ticker.system(), new RequestIds(),
        (model, ctx, split, taken, outputs, error, latency) -> {
          if (error == null) {
            // The listener gets the inputs the version took; the test's record must match.
            assertEquals(inputs.remove(ctx.requestId()), taken);
            shadows.offer(model.name(), model.version(), ctx.requestId(), taken, outputs);
          }
        });
  }

  private ServedModel track(ServedModel m) {
    loaded.add(m);
    return m;
  }

  @AfterEach
  void tearDown() {
    shadows.close();
    synchronized (shadowRunners) {
      shadowRunners.forEach(ControlledRunner::release);
    }
    loaded.forEach(ServedModel::close);
  }

  private void shadowMode(ControlledRunner.Mode m) {
    synchronized (shadowRunners) {
      shadowRunners.forEach(r -> r.mode(m));
    }
  }

  /** Sends {@code n} requests through the primary and checks every answer is the primary's. */
  private void sendAndCheck(int n) throws Exception {
    List<CompletableFuture<Answer>> answers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = "req-" + i;
      List<Tensor> in = List.of(FakeRunner.rows(1, i));
      inputs.put(id, in);
      answers.add(service.infer(ModelRef.of("m"), in,
          new RequestContext(Long.MAX_VALUE, "test", id, null)));
    }
    for (int i = 0; i < n; i++) {
      Answer a = answers.get(i).get(10, TimeUnit.SECONDS);
      assertSame(primary, a.model());
      assertArrayEquals(new float[] {2f * i, 2f * (i + 1)}, FakeRunner.floats(a.outputs()[0]));
      assertEquals("req-" + i, a.requestId());
    }
  }

  @Test
  void aHungShadowNeverChangesOrHoldsThePrimarysAnswers() throws Exception {
    shadows.start("m", shadow, ShadowConfig.defaults().withQueue(2, 1 << 20, 1)
        .withDeadline(Duration.ofHours(1)));
    shadowMode(ControlledRunner.Mode.BLOCK);
    sendAndCheck(50);
    ShadowReport r = shadows.report("m");
    assertEquals(50, r.mirrored() + r.dropped());
    assertTrue(r.dropped() >= 47, "at most 1 in flight and 2 queued: " + r.dropped());
    assertEquals(0, r.compared());
  }

  @Test
  void aThrowingShadowNeverChangesThePrimarysAnswers() throws Exception {
    shadows.start("m", shadow, ShadowConfig.defaults());
    shadowMode(ControlledRunner.Mode.THROW);
    sendAndCheck(20);
    Sockets.await(() -> shadows.report("m").errors() == 20, "20 shadow errors");
    assertEquals(0, shadows.report("m").compared());
  }

  @Test
  void aHealthyShadowAgreesWithItsTwin() throws Exception {
    shadows.start("m", shadow, ShadowConfig.defaults());
    sendAndCheck(20);
    Sockets.await(() -> shadows.report("m").compared() == 20, "20 comparisons");
    ShadowReport r = shadows.report("m");
    assertEquals(1.0, r.agreementRatio());
    assertEquals(0.0, r.outputs().get(0).maxAbsDiff());
    assertTrue(r.worst().isEmpty(), "exact agreement keeps no example");
  }

  @Test
  void startingTheSameShadowAgainKeepsItsWindowAnythingElseStartsANewOne() throws Exception {
    ShadowConfig config = ShadowConfig.defaults();
    shadows.start("m", shadow, config);
    shadows.offer("m", "1.0.0", "a", List.of(FakeRunner.rows(1, 1)),
        new Tensor[] {Tensor.ofFloats("y", new long[] {1, 2}, new float[] {2, 4})});
    Sockets.await(() -> shadows.report("m").compared() == 1, "1 comparison");
    shadows.start("m", shadow, ShadowConfig.defaults());
    assertEquals(1, shadows.report("m").mirrored(), "a reload re-applying it keeps the window");
    shadows.start("m", shadow, ShadowConfig.of(0.5, 1e-4, 1e-3));
    assertEquals(0, shadows.report("m").mirrored(), "a new config starts a new window");
    assertEquals(0.5, shadows.report("m").config().sample());
  }

  @Test
  void withoutAShadowOfferIsANoOpAndReportSaysWhichModelsHaveOne() {
    shadows.offer("m", "1.0.0", "a", List.of(FakeRunner.rows(1, 1)), new Tensor[0]);
    assertFalse(shadows.active("m"));
    InferenceException none = assertThrows(InferenceException.class,
        () -> shadows.report("m"));
    assertEquals(InferenceException.Kind.NOT_FOUND, none.kind());
    assertEquals("model 'm' has no shadow (no model has one)", none.getMessage());
    shadows.start("m", shadow, ShadowConfig.defaults());
    assertEquals("model 'other' has no shadow (models with one: m)", assertThrows(
        InferenceException.class, () -> shadows.report("other")).getMessage());
    assertEquals(1, shadows.reports().size());
    assertTrue(shadows.stop("m"));
    assertFalse(shadows.stop("m"));
    assertTrue(shadows.reports().isEmpty());
  }

  @Test
  void aShadowMustBeAVersionOfItsModel() {
    InferenceException e = assertThrows(InferenceException.class,
        () -> shadows.start("other", shadow, ShadowConfig.defaults()));
    assertEquals(InferenceException.Kind.INVALID_ARGUMENT, e.kind());
    assertEquals("the shadow of model 'other' must be one of its versions, got m:2.0.0",
        e.getMessage());
  }

  @Test
  void badConfigsAreRefusedNamingTheValue() {
    assertEquals("sample must be in (0, 1], got 0.0", assertThrows(
        IllegalArgumentException.class, () -> ShadowConfig.of(0, 1e-4, 1e-3)).getMessage());
    assertEquals("sample must be in (0, 1], got 1.5", assertThrows(
        IllegalArgumentException.class, () -> ShadowConfig.of(1.5, 1e-4, 1e-3)).getMessage());
    assertEquals("atol must be a finite number >= 0, got -1.0", assertThrows(
        IllegalArgumentException.class, () -> ShadowConfig.of(1, -1, 1e-3)).getMessage());
    assertEquals("rtol must be a finite number >= 0, got NaN", assertThrows(
        IllegalArgumentException.class, () -> ShadowConfig.of(1, 0, Double.NaN)).getMessage());
    assertEquals("the shadow deadline must be positive, got 0 ms", assertThrows(
        IllegalArgumentException.class,
        () -> ShadowConfig.defaults().withDeadline(Duration.ZERO)).getMessage());
  }
}
