package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.core.InferenceException.Kind;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeRunner;
import io.mlserve.server.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {
  /** A queue timeout no test here reaches (DynamicBatcherQueueTimeoutTest covers it). */
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);
  private final FakeTicker ticker = new FakeTicker();
  private final FakeRunner runner = new FakeRunner();

  private DynamicBatcher batcher(int maxBatch, long delayMicros, int capacity) {
    return new DynamicBatcher(
        "m:1", new BatchSettings(maxBatch, delayMicros * 1000, capacity, HOUR), List.of(runner),
        ticker,
        BatchListener.NONE);
  }

  private static CompletableFuture<BatchResult> submit(DynamicBatcher b, int rows, float base) {
    return b.submit(new Tensor[] {FakeRunner.rows(rows, base)}, rows, Long.MAX_VALUE);
  }

  @Test
  void fillsBatchesToMaxRowsInArrivalOrder() throws Exception {
    DynamicBatcher b = batcher(4, 0, 100);
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      futures.add(submit(b, 1, i * 10));
    }
    while (b.runOnce(0)) {}
    assertEquals(List.of(4L, 4L, 2L), runner.batchRows());
    for (int i = 0; i < 10; i++) {
      float[] out = FakeRunner.floats(futures.get(i).get().outputs()[0]);
      assertArrayEquals(new float[] {i * 20f, i * 20f + 2}, out, "request " + i);
    }
    BatchResult last = futures.get(9).get();
    assertEquals(2, last.batchRows());
    assertEquals(2, last.batchRequests());
  }

  @Test
  void zeroDelayBatchesWhatIsQueuedWithoutWaiting() {
    DynamicBatcher b = batcher(64, 0, 100);
    submit(b, 1, 0);
    assertEquals(0, b.nanosUntilNextBatch());
    assertTrue(b.runOnce(0));
    assertEquals(List.of(1L), runner.batchRows());
    assertEquals(-1, b.nanosUntilNextBatch());
    assertFalse(b.runOnce(0));
  }

  @Test
  void delayWaitsForMoreRowsUntilItExpires() throws Exception {
    DynamicBatcher b = batcher(8, 500, 100);
    CompletableFuture<BatchResult> first = submit(b, 1, 0);
    assertFalse(b.runOnce(0), "must wait for company while the delay runs");
    assertEquals(TimeUnit.MICROSECONDS.toNanos(500), b.nanosUntilNextBatch());
    ticker.advance(200, TimeUnit.MICROSECONDS);
    submit(b, 2, 100);
    assertFalse(b.runOnce(0));
    assertEquals(TimeUnit.MICROSECONDS.toNanos(300), b.nanosUntilNextBatch());
    ticker.advance(300, TimeUnit.MICROSECONDS);
    assertTrue(b.runOnce(0));
    assertEquals(List.of(3L), runner.batchRows());
    assertTrue(first.isDone());
  }

  @Test
  void delayEndsEarlyWhenTheBatchIsFull() {
    DynamicBatcher b = batcher(4, 1_000_000, 100);
    submit(b, 3, 0);
    assertFalse(b.runOnce(0));
    submit(b, 1, 0);
    assertEquals(0, b.nanosUntilNextBatch());
    assertTrue(b.runOnce(0));
    assertEquals(List.of(4L), runner.batchRows());
  }

  @Test
  void expiredRequestsAreDroppedBeforeInference() throws Exception {
    DynamicBatcher b = batcher(8, 0, 100);
    long soon = ticker.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
    CompletableFuture<BatchResult> expiring =
        b.submit(new Tensor[] {FakeRunner.rows(1, 0)}, 1, soon);
    CompletableFuture<BatchResult> patient = submit(b, 1, 5);
    ticker.advance(2, TimeUnit.MILLISECONDS);
    assertTrue(b.runOnce(0));
    assertEquals(List.of(1L), runner.batchRows(), "only the live request reaches the engine");
    ExecutionException e = assertThrows(ExecutionException.class, expiring::get);
    assertEquals(Kind.DEADLINE_EXCEEDED, ((InferenceException) e.getCause()).kind());
    assertArrayEquals(new float[] {10, 12}, FakeRunner.floats(patient.get().outputs()[0]));
  }

  @Test
  void batchOfOnlyExpiredRequestsNeverReachesTheEngine() {
    DynamicBatcher b = batcher(8, 0, 100);
    b.submit(new Tensor[] {FakeRunner.rows(1, 0)}, 1, ticker.nanoTime());
    assertTrue(b.runOnce(0));
    assertTrue(runner.batchRows().isEmpty());
  }

  @Test
  void cancelledRequestsAreSkipped() {
    DynamicBatcher b = batcher(8, 0, 100);
    submit(b, 1, 0).cancel(false);
    CompletableFuture<BatchResult> live = submit(b, 2, 0);
    assertTrue(b.runOnce(0));
    assertEquals(List.of(2L), runner.batchRows());
    assertTrue(live.isDone());
  }

  @Test
  void fullQueueRefusesAtOnce() {
    DynamicBatcher b = batcher(8, 0, 2);
    submit(b, 1, 0);
    submit(b, 1, 0);
    InferenceException e = assertThrows(InferenceException.class, () -> submit(b, 1, 0));
    assertEquals(Kind.RESOURCE_EXHAUSTED, e.kind());
    assertTrue(e.getMessage().contains("full"), e.getMessage());
    assertTrue(b.runOnce(0));
    submit(b, 1, 0); // room again once drained
  }

  @Test
  void mixedRowCountsAreBatchedAndSplitExactly() throws Exception {
    DynamicBatcher b = batcher(8, 0, 100);
    CompletableFuture<BatchResult> a = submit(b, 1, 0);
    CompletableFuture<BatchResult> c = submit(b, 3, 100);
    CompletableFuture<BatchResult> d = submit(b, 2, 200);
    CompletableFuture<BatchResult> e = submit(b, 4, 300); // does not fit with the first three
    assertTrue(b.runOnce(0));
    assertTrue(b.runOnce(0));
    assertEquals(List.of(6L, 4L), runner.batchRows());
    assertArrayEquals(new long[] {1, 2}, a.get().outputs()[0].shape());
    assertArrayEquals(new long[] {3, 2}, c.get().outputs()[0].shape());
    assertArrayEquals(
        new float[] {200, 202, 204, 206, 208, 210}, FakeRunner.floats(c.get().outputs()[0]));
    assertArrayEquals(new float[] {400, 402, 404, 406}, FakeRunner.floats(d.get().outputs()[0]));
    assertArrayEquals(new long[] {4, 2}, e.get().outputs()[0].shape());
    assertEquals(600f, FakeRunner.floats(e.get().outputs()[0])[0]);
  }

  @Test
  void requestLargerThanMaxBatchIsRefused() {
    DynamicBatcher b = batcher(4, 0, 100);
    InferenceException e = assertThrows(InferenceException.class, () -> submit(b, 5, 0));
    assertEquals(Kind.INVALID_ARGUMENT, e.kind());
    assertTrue(e.getMessage().contains("max_batch_size"), e.getMessage());
  }

  @Test
  void engineFailureFailsOnlyThatBatch() throws Exception {
    DynamicBatcher b = batcher(2, 0, 100);
    CompletableFuture<BatchResult> r1 = submit(b, 1, 0);
    CompletableFuture<BatchResult> r2 = submit(b, 1, 0);
    CompletableFuture<BatchResult> r3 = submit(b, 1, 7);
    runner.failNext(1);
    assertTrue(b.runOnce(0));
    assertTrue(b.runOnce(0));
    for (CompletableFuture<BatchResult> f : List.of(r1, r2)) {
      ExecutionException e = assertThrows(ExecutionException.class, f::get);
      InferenceException ie = assertInstanceOf(InferenceException.class, e.getCause());
      assertEquals(Kind.INTERNAL, ie.kind());
      assertTrue(ie.getMessage().endsWith("rows: engine exploded"), ie.getMessage());
      // Worded at the source: the engine's words, never its exception's class name.
      assertFalse(ie.getMessage().contains("IllegalStateException"), ie.getMessage());
    }
    assertArrayEquals(new float[] {14, 16}, FakeRunner.floats(r3.get().outputs()[0]));
  }

  @Test
  void workersServeAndDrainOnStop() throws Exception {
    DynamicBatcher b =
        new DynamicBatcher("m:1", new BatchSettings(4, 0, 1000, HOUR), List.of(runner),
            Ticker.system(), BatchListener.NONE);
    b.start();
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      futures.add(submit(b, 1 + i % 3, i));
    }
    assertTrue(b.drainAndStop(30, TimeUnit.SECONDS));
    for (int i = 0; i < futures.size(); i++) {
      Tensor out = futures.get(i).get(0, TimeUnit.SECONDS).outputs()[0];
      assertEquals(1 + i % 3, out.dim(0));
      assertEquals(2f * i, FakeRunner.floats(out)[0]);
    }
    InferenceException e = assertThrows(InferenceException.class, () -> submit(b, 1, 0));
    assertEquals(Kind.UNAVAILABLE, e.kind());
  }

  /** A runner that signals when a batch enters it and holds the batch until released. */
  private static final class GateRunner implements io.mlserve.server.engine.ModelRunner {
    private final CountDownLatch entered;
    private final CountDownLatch release;
    private final FakeRunner inner = new FakeRunner();

    GateRunner(CountDownLatch entered, CountDownLatch release) {
      this.entered = entered;
      this.release = release;
    }

    @Override
    public Tensor[] predict(Tensor[] inputs) throws Exception {
      entered.countDown();
      if (!release.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
      return inner.predict(inputs);
    }

    @Override
    public void close() {}
  }

  @Test
  void queuedBatchesReachEveryIdleWorker() throws Exception {
    CountDownLatch entered = new CountDownLatch(3);
    CountDownLatch release = new CountDownLatch(1);
    List<io.mlserve.server.engine.ModelRunner> runners = List.of(
        new GateRunner(entered, release), new GateRunner(entered, release),
        new GateRunner(entered, release));
    DynamicBatcher b = new DynamicBatcher(
        "m:1", new BatchSettings(1, 0, 100, HOUR), runners, Ticker.system(), BatchListener.NONE);
    b.start();
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      futures.add(submit(b, 1, i));
    }
    // Three one-row batches must run at once on the three workers: a burst of submits may not
    // leave a worker asleep while batches wait.
    assertTrue(entered.await(30, TimeUnit.SECONDS), "every worker got a batch");
    release.countDown();
    for (int i = 0; i < futures.size(); i++) {
      assertEquals(2f * i, FakeRunner.floats(futures.get(i).get(30, TimeUnit.SECONDS).outputs()[0])[0]);
    }
    assertTrue(b.drainAndStop(30, TimeUnit.SECONDS));
  }

  @Test
  void manyWorkersAndProducersLoseNoRequest() throws Exception {
    List<io.mlserve.server.engine.ModelRunner> runners =
        List.of(new FakeRunner(), new FakeRunner(), new FakeRunner());
    DynamicBatcher b = new DynamicBatcher(
        "m:1", new BatchSettings(8, 0, 100_000, HOUR), runners, Ticker.system(),
        BatchListener.NONE);
    b.start();
    int perProducer = 5_000;
    List<List<CompletableFuture<BatchResult>>> all = new ArrayList<>();
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      List<CompletableFuture<BatchResult>> mine = new ArrayList<>();
      all.add(mine);
      producers.add(new Thread(() -> {
        for (int i = 0; i < perProducer; i++) {
          mine.add(submit(b, 1 + i % 4, i));
          if (i % 64 == 0) {
            Thread.yield(); // let workers go idle now and then, so wake-ups are exercised
          }
        }
      }));
    }
    producers.forEach(Thread::start);
    for (Thread t : producers) {
      t.join();
    }
    for (List<CompletableFuture<BatchResult>> mine : all) {
      for (int i = 0; i < perProducer; i++) {
        Tensor out = mine.get(i).get(30, TimeUnit.SECONDS).outputs()[0];
        assertEquals(1 + i % 4, out.dim(0));
        assertEquals(2f * i, FakeRunner.floats(out)[0]);
      }
    }
    assertTrue(b.drainAndStop(30, TimeUnit.SECONDS));
  }

  /** An event loop stand-in: keeps the tasks it is given until the test runs them. */
  private static final class ManualLoop implements java.util.concurrent.Executor {
    final List<Runnable> tasks = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      List<Runnable> now = new ArrayList<>(tasks);
      tasks.clear();
      now.forEach(Runnable::run);
    }
  }

  private DynamicBatcher startedWithDeferral(FakeRunner one, WakeDeferral deferral)
      throws InterruptedException {
    DynamicBatcher b = new DynamicBatcher("m:1", new BatchSettings(8, 0, 100, HOUR),
        List.of(one),
        Ticker.system(), BatchListener.NONE, deferral);
    b.start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (b.idleWorkers() == 0 && System.nanoTime() < until) {
      Thread.sleep(1);
    }
    assertEquals(1, b.idleWorkers(), "the worker parked on the empty queue");
    return b;
  }

  @Test
  void submitsFromAnEventLoopWakeTheWorkerOnceTheLoopsTurnEnds() throws Exception {
    FakeRunner one = new FakeRunner();
    ManualLoop loop = new ManualLoop();
    DynamicBatcher b = startedWithDeferral(one, () -> loop);
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      futures.add(submit(b, 1, i));
    }
    assertEquals(1, loop.tasks.size(), "one wake-up scheduled for the three requests");
    assertEquals(3, b.queueDepth(), "nothing taken before the loop's turn ends");
    loop.runAll();
    for (CompletableFuture<BatchResult> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertEquals(List.of(3L), one.batchRows(), "the three requests ran as one batch");
    assertTrue(b.drainAndStop(30, TimeUnit.SECONDS));
  }

  @Test
  void aFullBatchWakesTheWorkerWithoutWaitingForTheLoop() throws Exception {
    FakeRunner one = new FakeRunner();
    ManualLoop loop = new ManualLoop();
    DynamicBatcher b = startedWithDeferral(one, () -> loop);
    CompletableFuture<BatchResult> first = submit(b, 4, 0);
    CompletableFuture<BatchResult> second = submit(b, 4, 1);
    first.get(30, TimeUnit.SECONDS);
    second.get(30, TimeUnit.SECONDS);
    assertEquals(List.of(8L), one.batchRows());
    assertTrue(b.drainAndStop(30, TimeUnit.SECONDS));
  }

  @Test
  void aLoopThatRefusesTasksGetsAnImmediateWakeUp() throws Exception {
    FakeRunner one = new FakeRunner();
    java.util.concurrent.Executor shutDown = task -> {
      throw new java.util.concurrent.RejectedExecutionException("loop stopped");
    };
    DynamicBatcher b = startedWithDeferral(one, () -> shutDown);
    assertEquals(2f, FakeRunner.floats(submit(b, 1, 1).get(30, TimeUnit.SECONDS).outputs()[0])[0]);
    assertTrue(b.drainAndStop(30, TimeUnit.SECONDS));
  }

  @Test
  void withAQueueDelayASecondReadyBatchDoesNotWaitOutTheDelay() throws Exception {
    CountDownLatch entered = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    // A delay far longer than the test's patience: a batch that waits it out fails the test.
    DynamicBatcher b = new DynamicBatcher("m:1",
        new BatchSettings(4, 120_000_000_000L, 100, HOUR),
        List.of(new GateRunner(entered, release), new GateRunner(entered, release)),
        Ticker.system(), BatchListener.NONE);
    b.start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (b.idleWorkers() < 2 && System.nanoTime() < until) {
      Thread.sleep(1); // polling interval only
    }
    assertEquals(2, b.idleWorkers(), "both workers parked on the empty queue");
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    futures.add(submit(b, 1, 0)); // wakes a worker, which waits out the delay for more rows
    futures.add(submit(b, 1, 1)); // wakes the other, which waits too
    // A worker leaves the idle count under the batcher's lock and, still holding it, goes on to
    // wait out the delay: once the count is 0 (read under that lock) both are in the delay wait.
    while (b.idleWorkers() > 0 && System.nanoTime() < until) {
      Thread.sleep(1); // polling interval only
    }
    assertEquals(0, b.idleWorkers(), "both workers woke");
    futures.add(submit(b, 1, 2));
    // 7 rows: one worker takes the three 1-row requests and is held in the engine; the 4-row
    // request left over is a full batch and must wake the other worker, not wait two minutes.
    futures.add(submit(b, 4, 3));
    assertTrue(entered.await(20, TimeUnit.SECONDS), "both batches reached the engine at once");
    release.countDown();
    for (CompletableFuture<BatchResult> f : futures) {
      f.get(20, TimeUnit.SECONDS);
    }
    assertTrue(b.drainAndStop(30, TimeUnit.SECONDS));
  }
}
