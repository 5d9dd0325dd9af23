package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeRunner;
import io.mlserve.server.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two workers on a compute-bound model, no queue delay (max_queue_delay 0): while one worker's
 * batch runs, the other leaves it a small batch instead of paying a batch's fixed time for a row
 * or two; a lone request is taken at once. Worker 0's batch is held open on a latch (a real
 * thread, no sleeps); time is the fake ticker's.
 */
class DynamicBatcherSmallBatchHoldTest {
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);
  private static final long FIXED = 210_000;
  private static final long PER_ROW = 40_000;
  private final FakeTicker ticker = new FakeTicker();
  private final FakeRunner inner = new FakeRunner();
  /** Takes FIXED + PER_ROW a row of the ticker's time, like the heavy MLP on one thread. */
  private final ModelRunner computeBound = new ModelRunner() {
    @Override
    public Tensor[] predict(Tensor[] inputs) {
      ticker.advance(FIXED + PER_ROW * inputs[0].dim(0), TimeUnit.NANOSECONDS);
      return inner.predict(inputs);
    }

    @Override
    public void close() {}
  };
  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  /** Worker 0's runner: its batch stays running until {@link #release}. */
  private final ModelRunner held = new ModelRunner() {
    @Override
    public Tensor[] predict(Tensor[] inputs) throws InterruptedException {
      started.countDown();
      assertTrue(release.await(30, TimeUnit.SECONDS));
      return inner.predict(inputs);
    }

    @Override
    public void close() {}
  };
  private final DynamicBatcher batcher = new DynamicBatcher("m:1",
      new BatchSettings(64, 0, 1000, HOUR), List.of(held, computeBound), ticker,
      BatchListener.NONE);
  private Thread busy;

  @AfterEach
  void finish() throws InterruptedException {
    release.countDown();
    if (busy != null) {
      busy.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  private CompletableFuture<BatchResult> submit(float base) {
    return batcher.submit(new Tensor[] {FakeRunner.rows(1, base)}, 1, Long.MAX_VALUE);
  }

  /**
   * On worker 1: single-row batches, then four full batches of 64 one-row requests arriving
   * 39 us apart. The last complete 10 ms window saw 128 rows: 2.7 rows come within one fixed
   * time of 210 us.
   */
  private void load() {
    for (int i = 0; i < 4; i++) {
      submit(i);
      assertTrue(batcher.runOnce(1));
    }
    for (int k = 0; k < 4; k++) {
      for (int i = 0; i < 64; i++) {
        submit(i);
        ticker.advance(39, TimeUnit.MICROSECONDS);
      }
      assertTrue(batcher.runOnce(1));
    }
    assertEquals(List.of(1L, 1L, 1L, 1L, 64L, 64L, 64L, 64L), inner.batchRows());
  }

  /** Worker 0 takes what is queued and keeps its batch running until released. */
  private void worker0Busy() throws InterruptedException {
    busy = new Thread(() -> batcher.runOnce(0), "busy-worker");
    busy.start();
    assertTrue(started.await(30, TimeUnit.SECONDS));
  }

  private static float[] values(CompletableFuture<BatchResult> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS).outputs()[0].toFloats();
  }

  @Test
  void whileAWorkerIsBusyTheFreeOneLeavesItARowInsteadOfRunningItAlone() throws Exception {
    load();
    CompletableFuture<BatchResult> lone = submit(500);
    worker0Busy();
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    futures.add(submit(100));
    assertFalse(batcher.runOnce(1), "one row: left to the busy worker, not run alone");
    for (int i = 1; i < 5; i++) {
      ticker.advance(30, TimeUnit.MICROSECONDS);
      futures.add(submit(100 + 100 * i));
    }
    assertTrue(batcher.runOnce(1), "more rows than one fixed time brings: taken together");
    assertEquals(5L, inner.batchRows().get(inner.batchRows().size() - 1));
    for (int i = 0; i < futures.size(); i++) {
      assertArrayEquals(new float[] {200 + 200 * i, 202 + 200 * i}, values(futures.get(i)));
    }
    release.countDown();
    assertArrayEquals(new float[] {1000, 1002}, values(lone));
  }

  @Test
  void aHeldRowIsTakenByTheBusyWorkerWhenItsBatchEnds() throws Exception {
    load();
    submit(500);
    worker0Busy();
    CompletableFuture<BatchResult> left = submit(100);
    assertFalse(batcher.runOnce(1));
    release.countDown();
    busy.join(TimeUnit.SECONDS.toMillis(30));
    assertTrue(batcher.runOnce(0), "no batch running: the row goes at once");
    assertArrayEquals(new float[] {200, 202}, values(left));
  }

  @Test
  void aLoneRequestIsTakenAtOnceEvenRightAfterHeavyLoad() throws Exception {
    load();
    CompletableFuture<BatchResult> lone = submit(7);
    assertEquals(0, batcher.nanosUntilNextBatch());
    assertTrue(batcher.runOnce(1), "no other batch running: never held");
    assertEquals(List.of(1L), inner.batchRows().subList(8, 9));
    assertArrayEquals(new float[] {14, 16}, values(lone));
  }
}
