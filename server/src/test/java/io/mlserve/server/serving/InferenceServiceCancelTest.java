package io.mlserve.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeModels;
import io.mlserve.server.testing.FakeRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancelling the serving entry point's future drops a queued request before it runs (the
 * cancellation reaches the batcher through every future between them) and counts it as
 * cancelled, not as an answer or a failure.
 */
class InferenceServiceCancelTest {
  @TempDir Path dir;

  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch gate = new CountDownLatch(1);
  private final List<Long> batchRows = new CopyOnWriteArrayList<>();
  private volatile boolean armed; // false while the loader warms the model up
  private ServedModel model;

  /** Once armed, records each batch's rows and holds it at the gate until the test opens it. */
  private final class HeldRunner implements ModelRunner {
    private final FakeRunner doubling = new FakeRunner();

    @Override
    public Tensor[] predict(Tensor[] inputs) throws InterruptedException {
      if (armed) {
        batchRows.add(inputs[0].dim(0));
        entered.countDown();
        if (!gate.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never opened the gate");
        }
      }
      return doubling.predict(inputs);
    }

    @Override
    public void close() {}
  }

  @AfterEach
  void tearDown() {
    gate.countDown();
    if (model != null) {
      model.close();
    }
  }

  @Test
  void aCancelledQueuedRequestNeverRunsAndCountsAsCancelled() throws Exception {
    MetricsRegistry metrics = new MetricsRegistry();
    model = new FakeModels(dir, Ticker.system(), metrics, HeldRunner::new).load("m", "1.0.0");
    ModelRouter router = new ModelRouter(metrics);
    router.put(model, true);
    InferenceService service = new InferenceService(router, Ticker.system());
    ModelMetrics m = model.metrics();
    int cancelled = ModelMetrics.OUTCOMES.length - 1;
    long okBefore = m.outcomeCount(0);
    long cancelledBefore = m.outcomeCount(cancelled);
    armed = true;
    RequestContext ctx = RequestContext.of(Long.MAX_VALUE, "test");

    CompletableFuture<Answer> running =
        service.infer(ModelRef.of("m"), List.of(FakeRunner.rows(1, 1)), ctx);
    assertTrue(entered.await(30, TimeUnit.SECONDS), "the first request reached the engine");
    CompletableFuture<Answer> queued =
        service.infer(ModelRef.of("m"), List.of(FakeRunner.rows(3, 10)), ctx);
    assertTrue(queued.cancel(false));
    gate.countDown();

    running.get(30, TimeUnit.SECONDS);
    // A later request runs after the cancelled one was taken from the queue (dropped or run).
    Answer after = service.infer(ModelRef.of("m"), List.of(FakeRunner.rows(2, 100)), ctx)
        .get(30, TimeUnit.SECONDS);
    assertEquals(2, after.outputs()[0].dim(0));
    assertThrows(CancellationException.class, queued::join);
    assertEquals(List.of(1L, 2L), batchRows, "the cancelled request's 3 rows never ran");

    assertEquals(1, m.outcomeCount(cancelled) - cancelledBefore);
    assertEquals(2, m.outcomeCount(0) - okBefore, "two answers");
  }
}
