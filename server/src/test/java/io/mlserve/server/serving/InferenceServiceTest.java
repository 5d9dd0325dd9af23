package io.mlserve.server.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeModels;
import io.mlserve.server.testing.FakeRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serving entry point over real batchers with a fake engine. */
class InferenceServiceTest {
  @TempDir Path dir;

  private final ModelRouter router = new ModelRouter(new MetricsRegistry());
  private final List<ServedModel> loaded = new ArrayList<>();
  private FakeModels models;
  private InferenceService service;

  @BeforeEach
  void setUp() {
    models = new FakeModels(dir, Ticker.system(), new MetricsRegistry());
    service = new InferenceService(router, Ticker.system());
  }

  @AfterEach
  void tearDown() {
    loaded.forEach(ServedModel::close);
  }

  private ServedModel load(String version) throws Exception {
    ServedModel m = models.load("m", version);
    loaded.add(m);
    return m;
  }

  private static RequestContext ctx() {
    return RequestContext.of(Long.MAX_VALUE, "test");
  }

  private Answer run(ModelRef ref) throws Exception {
    return service.infer(ref, List.of(FakeRunner.rows(1, 1)), ctx()).get(10, TimeUnit.SECONDS);
  }

  private InferenceException failure(ModelRef ref) throws Exception {
    CompletableFuture<Answer> f = service.infer(ref, List.of(FakeRunner.rows(1, 1)), ctx());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> f.get(10, TimeUnit.SECONDS));
    return assertInstanceOf(InferenceException.class, e.getCause());
  }

  @Test
  void resolvesVersionStageAndProduction() throws Exception {
    ServedModel prod = load("1.0.0");
    ServedModel staged = load("1.1.0");
    router.put(prod, true);
    router.setStaging("m", staged);
    assertEquals(prod, run(ModelRef.of("m")).model());
    assertEquals(prod, run(ModelRef.fromVersionField("m", "Production")).model());
    assertEquals(staged, run(ModelRef.fromVersionField("m", "staging")).model());
    assertEquals(staged, run(ModelRef.fromFields("m", null, "Staging")).model());
    assertEquals(staged, run(ModelRef.fromVersionField("m", "1.1.0")).model());
    Answer a = run(ModelRef.of("m"));
    assertArrayEquals(new float[] {2, 4}, a.outputs()[0].toFloats());
    assertNotNull(a.requestId());
  }

  @Test
  void unknownTargetsAreNotFoundWithWhatIsServed() throws Exception {
    router.put(load("1.0.0"), true);
    assertEquals("model 'x' is not served (served: m)",
        failure(ModelRef.of("x")).getMessage());
    assertEquals("version '9.9.9' of model 'm' is not loaded (loaded: 1.0.0)",
        failure(ModelRef.fromVersionField("m", "9.9.9")).getMessage());
    assertEquals("model 'm' has no Staging version loaded",
        failure(ModelRef.fromVersionField("m", "staging")).getMessage());
    InferenceException both = assertThrows(InferenceException.class,
        () -> ModelRef.fromFields("m", "1.0.0", "Staging"));
    assertEquals(InferenceException.Kind.INVALID_ARGUMENT, both.kind());
  }

  @Test
  void anExplicitVersionNotLoadedIsLoadedOnDemand() throws Exception {
    router.put(load("1.0.0"), true);
    ServedModel old = load("0.9.0");
    AtomicInteger asked = new AtomicInteger();
    router.setOnDemandLoader((name, version) -> {
      asked.incrementAndGet();
      assertEquals("0.9.0", version);
      router.put(old, false);
      return CompletableFuture.completedFuture(old);
    });
    assertEquals(old, run(ModelRef.fromVersionField("m", "0.9.0")).model());
    assertEquals(1, asked.get());
    // Unversioned requests never load anything.
    assertEquals("1.0.0", run(ModelRef.of("m")).model().version());
    assertEquals(1, asked.get());
  }

  @Test
  void aRequestThatMeetsASwappedOutVersionRunsOnItsSuccessor() throws Exception {
    ServedModel v1 = load("1.0.0");
    ServedModel v2 = load("2.0.0");
    router.put(v1, true);
    AtomicInteger decodes = new AtomicInteger();
    Tensor x = FakeRunner.rows(1, 1);
    // The decoder runs between choosing the version and queueing on it: swap there.
    CompletableFuture<Answer> f = service.infer(ModelRef.of("m"), model -> {
      if (decodes.incrementAndGet() == 1) {
        assertEquals(v1, model);
        router.put(v2, true);
        router.remove(v1);
        v1.close();
      }
      return List.of(x);
    }, ctx());
    Answer a = f.get(10, TimeUnit.SECONDS);
    assertEquals(v2, a.model());
    assertEquals(2, decodes.get());
  }

  @Test
  void aClosedVersionWithNoSuccessorIsUnavailable() throws Exception {
    ServedModel v1 = load("1.0.0");
    router.put(v1, true);
    v1.close();
    InferenceException e = failure(ModelRef.of("m"));
    assertEquals(InferenceException.Kind.UNAVAILABLE, e.kind());
  }

  @Test
  void theClientsRequestIdIsKeptAndTheListenerHearsEveryAnswer() throws Exception {
    router.put(load("1.0.0"), true);
    // The listener runs after the caller's future completes: heard as the queue fills.
    java.util.concurrent.BlockingQueue<String> heard = new java.util.concurrent.LinkedBlockingQueue<>();
    InferenceService s = new InferenceService(router, Ticker.system(), () -> "assigned",
        (model, c, split, inputs, outputs, error, nanos) -> heard.add(c.requestId() + ":"
            + model.version() + ":" + (error == null) + ":" + inputs.get(0).dim(0)));
    Answer mine = s.infer(ModelRef.of("m"), List.of(FakeRunner.rows(1, 1)),
        new RequestContext(Long.MAX_VALUE, "test", "mine", null)).get(10, TimeUnit.SECONDS);
    assertEquals("mine", mine.requestId());
    Answer theirs = s.infer(ModelRef.of("m"), List.of(FakeRunner.rows(1, 1)), ctx())
        .get(10, TimeUnit.SECONDS);
    assertEquals("assigned", theirs.requestId());
    assertEquals("mine:1.0.0:true:1", heard.poll(10, TimeUnit.SECONDS));
    assertEquals("assigned:1.0.0:true:1", heard.poll(10, TimeUnit.SECONDS));
  }

  @Test
  void badInputFailsTheFutureAndNeverThrows() throws Exception {
    router.put(load("1.0.0"), true);
    CompletableFuture<Answer> f = service.infer(ModelRef.of("m"),
        List.of(Tensor.ofFloats("x", new long[] {1, 3}, new float[] {1, 2, 3})), ctx());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> f.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof InferenceException ie
        && ie.kind() == InferenceException.Kind.INVALID_ARGUMENT, e.getCause().toString());
  }
}
