package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.core.InferenceException.Kind;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeRunner;
import io.mlserve.server.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The queue's bound by time (queue_timeout_us): requests that waited it out are dropped, not
 * run; new requests are refused at once while the oldest queued one has waited that long or the
 * estimated wait is that long. The clock is a {@link FakeTicker}; the engine "takes" time by
 * advancing it.
 */
class DynamicBatcherQueueTimeoutTest {
  private static final long TIMEOUT_MS = 10;

  private final FakeTicker ticker = new FakeTicker();
  private final FakeRunner runner = new FakeRunner();
  private final Counts counts = new Counts();

  private static final class Counts implements BatchListener {
    final AtomicInteger rejected = new AtomicInteger();
    final AtomicInteger timedOut = new AtomicInteger();

    @Override
    public void onRejected() {
      rejected.incrementAndGet();
    }

    @Override
    public void onQueueTimeout() {
      timedOut.incrementAndGet();
    }
  }

  /** A FakeRunner whose every call takes {@code millis} of the fake clock. */
  private ModelRunner taking(long millis) {
    return new ModelRunner() {
      @Override
      public Tensor[] predict(Tensor[] inputs) {
        ticker.advance(millis, TimeUnit.MILLISECONDS);
        return runner.predict(inputs);
      }

      @Override
      public void close() {}
    };
  }

  private DynamicBatcher batcher(int maxBatch, List<ModelRunner> runners) {
    return new DynamicBatcher("m:1",
        new BatchSettings(maxBatch, 0, 1000, TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS)),
        runners, ticker, counts);
  }

  private static CompletableFuture<BatchResult> submit(DynamicBatcher b, int rows) {
    return b.submit(new Tensor[] {FakeRunner.rows(rows, 0)}, rows, Long.MAX_VALUE);
  }

  private static InferenceException failure(CompletableFuture<BatchResult> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(0,
        TimeUnit.SECONDS));
    return assertInstanceOf(InferenceException.class, e.getCause());
  }

  @Test
  void aRequestThatWaitedOutTheTimeoutIsDroppedNotRun() throws Exception {
    DynamicBatcher b = batcher(8, List.of(runner));
    CompletableFuture<BatchResult> old = submit(b, 1);
    ticker.advance(TIMEOUT_MS / 2, TimeUnit.MILLISECONDS);
    CompletableFuture<BatchResult> young = submit(b, 1);
    ticker.advance(TIMEOUT_MS / 2, TimeUnit.MILLISECONDS); // old: 10 ms, young: 5 ms
    assertTrue(b.runOnce(0));
    assertEquals(List.of(1L), runner.batchRows(), "only the young request reaches the engine");
    InferenceException e = failure(old);
    assertEquals(Kind.RESOURCE_EXHAUSTED, e.kind());
    assertEquals("request waited 10 ms in the queue of model m:1, longer than its 10 ms limit"
        + " (queue_timeout_us); not run, retry later", e.getMessage());
    assertTrue(young.get(0, TimeUnit.SECONDS).outputs().length == 1);
    assertEquals(1, counts.timedOut.get());
  }

  @Test
  void justUnderTheTimeoutStillRuns() throws Exception {
    DynamicBatcher b = batcher(8, List.of(runner));
    CompletableFuture<BatchResult> r = submit(b, 1);
    ticker.advance(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS) - 1, TimeUnit.NANOSECONDS);
    assertTrue(b.runOnce(0));
    r.get(0, TimeUnit.SECONDS);
    assertEquals(0, counts.timedOut.get());
  }

  @Test
  void droppedRequestsTakeNoRoomInTheBatch() throws Exception {
    DynamicBatcher b = batcher(2, List.of(runner));
    CompletableFuture<BatchResult> old = submit(b, 2);
    ticker.advance(6, TimeUnit.MILLISECONDS);
    CompletableFuture<BatchResult> x = submit(b, 1);
    CompletableFuture<BatchResult> y = submit(b, 1);
    ticker.advance(4, TimeUnit.MILLISECONDS);
    assertTrue(b.runOnce(0));
    assertEquals(List.of(2L), runner.batchRows(), "x and y fill the batch the old one left");
    assertEquals(Kind.RESOURCE_EXHAUSTED, failure(old).kind());
    x.get(0, TimeUnit.SECONDS);
    y.get(0, TimeUnit.SECONDS);
    assertFalse(b.runOnce(0));
  }

  @Test
  void anOnlyTimedOutQueueCountsAsWorkDoneAndEmptiesIt() {
    DynamicBatcher b = batcher(8, List.of(runner));
    CompletableFuture<BatchResult> r = submit(b, 1);
    ticker.advance(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    assertTrue(b.runOnce(0));
    assertTrue(runner.batchRows().isEmpty());
    assertEquals(0, b.queueDepth());
    assertEquals(Kind.RESOURCE_EXHAUSTED, failure(r).kind());
  }

  @Test
  void whileTheOldestHasWaitedOutTheTimeoutNewRequestsAreRefusedAtOnce() throws Exception {
    DynamicBatcher b = batcher(8, List.of(runner));
    CompletableFuture<BatchResult> old = submit(b, 1);
    ticker.advance(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    InferenceException e = assertThrows(InferenceException.class, () -> submit(b, 1));
    assertEquals(Kind.RESOURCE_EXHAUSTED, e.kind());
    assertEquals("model m:1 is overloaded: a new request would wait about 10 ms in its queue,"
        + " the limit is 10 ms (queue_timeout_us); retry later", e.getMessage());
    assertEquals(1, counts.rejected.get());
    assertEquals(1, b.queueDepth(), "the refused request was never queued");
    assertTrue(b.runOnce(0)); // drops the old one
    assertEquals(Kind.RESOURCE_EXHAUSTED, failure(old).kind());
    submit(b, 1); // an empty queue admits again
  }

  @Test
  void estimatedWaitRefusesBeforeTheQueueAges() {
    // Batches of 4 rows take 2 ms: a request with 5 batches (20 rows) ahead of it, its own
    // included, would wait 10 ms, the timeout.
    DynamicBatcher b = batcher(4, List.of(taking(2)));
    submit(b, 1);
    assertTrue(b.runOnce(0)); // the first batch teaches the batcher a batch takes 2 ms
    for (int i = 0; i < 16; i++) {
      submit(b, 1); // up to 16 rows: 4 batches, 8 ms
    }
    InferenceException e = assertThrows(InferenceException.class, () -> submit(b, 4));
    assertEquals(Kind.RESOURCE_EXHAUSTED, e.kind());
    assertTrue(e.getMessage().contains("would wait about 10 ms"), e.getMessage());
    assertEquals(1, counts.rejected.get());
    assertEquals(16, b.queueDepth());
    assertTrue(b.runOnce(0)); // 12 rows left: room for 4 more
    submit(b, 4);
    assertEquals(0, counts.timedOut.get());
  }

  @Test
  void theEstimateSharesTheQueueAmongTheInstances() {
    DynamicBatcher b = batcher(4, List.of(taking(2), taking(2)));
    submit(b, 1);
    assertTrue(b.runOnce(0));
    for (int i = 0; i < 36; i++) {
      submit(b, 1); // 9 batches over 2 workers: 9 ms
    }
    assertThrows(InferenceException.class, () -> submit(b, 1)); // 10 batches: 10 ms
    assertEquals(1, counts.rejected.get());
  }

  @Test
  void workersDropWhatWaitedOutTheTimeoutBehindASlowBatch() throws Exception {
    CountDownLatch inEngine = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ModelRunner gated = new ModelRunner() {
      @Override
      public Tensor[] predict(Tensor[] inputs) {
        inEngine.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return runner.predict(inputs);
      }

      @Override
      public void close() {}
    };
    DynamicBatcher b = batcher(1, List.of(gated));
    b.start();
    try {
      CompletableFuture<BatchResult> first = submit(b, 1);
      assertTrue(inEngine.await(30, TimeUnit.SECONDS));
      List<CompletableFuture<BatchResult>> behind = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        behind.add(submit(b, 1));
      }
      ticker.advance(TIMEOUT_MS, TimeUnit.MILLISECONDS); // the engine call "took" 10 ms
      release.countDown();
      first.get(30, TimeUnit.SECONDS);
      for (CompletableFuture<BatchResult> f : behind) {
        ExecutionException e =
            assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        assertEquals(Kind.RESOURCE_EXHAUSTED,
            assertInstanceOf(InferenceException.class, e.getCause()).kind());
      }
      assertEquals(List.of(1L), runner.batchRows());
      assertEquals(3, counts.timedOut.get());
    } finally {
      assertTrue(b.drainAndStop(30, TimeUnit.SECONDS));
    }
  }
}
