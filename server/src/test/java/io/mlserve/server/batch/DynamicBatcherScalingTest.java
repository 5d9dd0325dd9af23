package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeRunner;
import io.mlserve.server.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DynamicBatcherScalingTest {
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);
  private final FakeTicker ticker = new FakeTicker();
  private final List<FakeRunner> made = new CopyOnWriteArrayList<>();

  private DynamicBatcher batcher(List<ModelRunner> runners, int min, int max) {
    return new DynamicBatcher("m:1", new BatchSettings(1, 0, 1000, HOUR), runners,
        ScalingSettings.between(min, max), () -> {
          FakeRunner r = new FakeRunner();
          made.add(r);
          return r;
        }, ticker, BatchListener.NONE, WakeDeferral.NONE);
  }

  private static CompletableFuture<BatchResult> submit(DynamicBatcher b) {
    return b.submit(new Tensor[] {FakeRunner.rows(1, 0)}, 1, Long.MAX_VALUE);
  }

  private ModelRunner taking(long micros) {
    return FakeRunner.taking(ticker, TimeUnit.MICROSECONDS.toNanos(micros));
  }

  /**
   * {@code cycles} of 10 ms with a worker busy 95% of the time: 4 requests arrive at once and are
   * run one after another (2.375 ms each), then 0.5 ms idle. The load is sampled as a worker
   * samples it when it takes a batch: once with the 4 queued, once just after the queue was
   * emptied.
   */
  private void busy(DynamicBatcher b, int cycles) {
    for (int c = 0; c < cycles; c++) {
      for (int i = 0; i < 4; i++) {
        submit(b);
      }
      b.rescale();
      while (b.runOnce(0)) { }
      b.rescale();
      ticker.advance(500, TimeUnit.MICROSECONDS);
    }
  }

  /** {@code cycles} of 10 ms with nothing to do, sampled at the start of each. */
  private void idle(DynamicBatcher b, int cycles) {
    for (int c = 0; c < cycles; c++) {
      b.rescale();
      ticker.advance(10, TimeUnit.MILLISECONDS);
    }
  }

  @Test
  void sustainedBusyTimeAddsAWorkerThoughHalfTheSamplesSeeAnEmptiedQueue() {
    // Before the load was integrated, the sample of the emptied queue restarted the 2 s window
    // every 10 ms and the worker count stayed 1 however long the load lasted.
    DynamicBatcher b = batcher(List.of(taking(2375)), 1, 3);
    busy(b, 1000); // 10 s
    // 95% busy with 1 worker is 47.5% with 2: neither threshold, so it stays at 2
    assertEquals(2, b.instances());
  }

  @Test
  void aBurstShorterThanTheWindowAddsNothing() {
    DynamicBatcher b = batcher(List.of(taking(2375)), 1, 3);
    for (int round = 0; round < 10; round++) {
      busy(b, 100); // 1 s at 95% busy
      idle(b, 300); // 3 s
    }
    assertEquals(1, b.instances());
  }

  @Test
  void theLoadGoneTheAddedWorkerIsRemovedAfterTheDownWindow() {
    DynamicBatcher b = batcher(List.of(taking(2375)), 1, 3);
    busy(b, 300); // 3 s
    assertEquals(2, b.instances());
    idle(b, 2800); // 28 s: less than the 30 s down window since the step at 2 s
    assertEquals(2, b.instances());
    idle(b, 300); // 31 s
    assertEquals(1, b.instances());
  }

  @Test
  void idleRemovesWorkersDownToMinOnly() {
    DynamicBatcher b =
        batcher(List.of(new FakeRunner(), new FakeRunner(), new FakeRunner()), 1, 3);
    for (int s = 0; s <= 300; s += 5) {
      b.rescale();
      ticker.advance(5, TimeUnit.SECONDS);
    }
    assertEquals(1, b.instances());
  }

  @Test
  void fixedSettingsNeverScaleAndInitialRunnersMustFitTheBounds() {
    DynamicBatcher fixed = batcher(List.of(new FakeRunner()), 1, 1);
    for (int i = 0; i < 10; i++) {
      submit(fixed);
    }
    for (int s = 0; s < 30; s++) {
      fixed.rescale();
      ticker.advance(1, TimeUnit.SECONDS);
    }
    assertEquals(1, fixed.instances());
    assertThrows(IllegalArgumentException.class,
        () -> batcher(List.of(new FakeRunner(), new FakeRunner()), 3, 4));
  }

  @Test
  void drainFinishesEveryRequestWithAddedWorkersAndClosesOnlyTheRunnersItMade()
      throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    FakeRunner given = new FakeRunner();
    ModelRunner gated = new ModelRunner() {
      @Override
      public Tensor[] predict(Tensor[] inputs) throws Exception {
        entered.countDown();
        assertTrue(gate.await(30, TimeUnit.SECONDS));
        return given.predict(inputs);
      }

      @Override
      public void close() {
        given.close();
      }
    };
    DynamicBatcher b = batcher(List.of(gated), 1, 4);
    b.start();
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    futures.add(submit(b));
    assertTrue(entered.await(30, TimeUnit.SECONDS));
    for (int i = 0; i < 200; i++) {
      futures.add(submit(b));
    }
    // the first worker is stuck: the queue is sustained, so a worker is added
    b.rescale();
    ticker.advance(2, TimeUnit.SECONDS);
    b.rescale();
    assertEquals(2, b.instances());
    gate.countDown();
    assertTrue(b.drainAndStop(30, TimeUnit.SECONDS));
    for (CompletableFuture<BatchResult> f : futures) {
      assertTrue(f.isDone() && !f.isCompletedExceptionally());
    }
    assertEquals(1, made.size());
    assertTrue(made.get(0).closed(), "the added worker closes the runner it made");
    assertFalse(given.closed(), "a given runner belongs to the caller");
  }

  @Test
  void aRemovedWorkerExitsAndDrainStillServesTheQueue() throws Exception {
    FakeRunner r1 = new FakeRunner();
    FakeRunner r2 = new FakeRunner();
    DynamicBatcher b = batcher(List.of(r1, r2), 1, 2);
    b.start();
    b.rescale();
    ticker.advance(31, TimeUnit.SECONDS);
    b.rescale();
    assertEquals(1, b.instances());
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      futures.add(submit(b));
    }
    assertTrue(b.drainAndStop(30, TimeUnit.SECONDS));
    for (CompletableFuture<BatchResult> f : futures) {
      assertTrue(f.isDone() && !f.isCompletedExceptionally());
    }
    assertFalse(r1.closed() || r2.closed(), "given runners are put aside, not closed");
    assertEquals(0, made.size());
  }
}
