package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The queue's bound under sustained overload: when the queue stopped emptying and reached a new
 * highest depth in each of 3 windows of 100 ms in a row after the first, a new request is admitted only while
 * its estimated wait is under 4 recent batch times (at least 5 ms), and so until 100 ms after the
 * last such refusal; a burst that drains, and a closed loop of any depth, may still queue up to
 * the queue timeout (1 s here). The clock is a {@link FakeTicker}; the engine "takes" time by
 * advancing it.
 */
class DynamicBatcherStandingQueueTest {
  private final FakeTicker ticker = new FakeTicker();
  private final FakeRunner runner = new FakeRunner();
  private final AtomicInteger rejected = new AtomicInteger();
  private final List<CompletableFuture<BatchResult>> admitted = new ArrayList<>();
  private final List<Long> admittedAt = new ArrayList<>();

  /** A FakeRunner whose every call takes {@code micros} of the fake clock. */
  private ModelRunner taking(long micros) {
    return new ModelRunner() {
      @Override
      public Tensor[] predict(Tensor[] inputs) {
        ticker.advance(micros, TimeUnit.MICROSECONDS);
        return runner.predict(inputs);
      }

      @Override
      public void close() {}
    };
  }

  /** Batches of up to 4 rows, a 1 s queue timeout; the first batch (1 row) teaches the time. */
  private DynamicBatcher learned(long batchMicros) {
    DynamicBatcher b = new DynamicBatcher("m:1",
        new BatchSettings(4, 0, 1000, TimeUnit.SECONDS.toNanos(1)),
        List.of(taking(batchMicros)), ticker, new BatchListener() {
          @Override
          public void onRejected() {
            rejected.incrementAndGet();
          }
        });
    submit(b, 1);
    assertTrue(b.runOnce(0));
    return b;
  }

  private static CompletableFuture<BatchResult> submit(DynamicBatcher b, int rows) {
    return b.submit(new Tensor[] {FakeRunner.rows(rows, 0)}, rows, Long.MAX_VALUE);
  }

  /** Offers {@code requests} one-row requests now; returns how many were refused. */
  private int offer(DynamicBatcher b, int requests) {
    int refused = 0;
    for (int i = 0; i < requests; i++) {
      try {
        admitted.add(submit(b, 1));
        admittedAt.add(ticker.nanoTime());
      } catch (InferenceException e) {
        assertEquals(Kind.RESOURCE_EXHAUSTED, e.kind());
        refused++;
      }
    }
    return refused;
  }

  /**
   * Open loop for {@code millis}: per batch the engine serves (4 rows), {@code perBatch} new
   * one-row requests arrive, and 1 ms passes besides the batch's own time.
   */
  private void openLoop(DynamicBatcher b, int perBatch, long millis) {
    long until = ticker.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (ticker.nanoTime() < until) {
      offer(b, perBatch);
      ticker.advance(1, TimeUnit.MILLISECONDS);
      if (b.queueDepth() > 0) {
        assertTrue(b.runOnce(0));
      }
    }
  }

  /**
   * The longest queue wait of the requests admitted in the last {@code millis} (of those still
   * queued: so far); {@link Long#MAX_VALUE} when one was dropped after waiting out the timeout.
   */
  private long longestRecentWaitNanos(long millis) throws Exception {
    long since = ticker.nanoTime() - TimeUnit.MILLISECONDS.toNanos(millis);
    long longest = 0;
    for (int i = 0; i < admitted.size(); i++) {
      CompletableFuture<BatchResult> f = admitted.get(i);
      if (admittedAt.get(i) <= since) {
        continue;
      }
      if (!f.isDone()) { // still queued: it has waited this long so far
        longest = Math.max(longest, ticker.nanoTime() - admittedAt.get(i));
        continue;
      }
      if (f.isCompletedExceptionally()) {
        return Long.MAX_VALUE;
      }
      BatchResult r = f.get(0, TimeUnit.SECONDS);
      longest = Math.max(longest, r.startedNanos() - r.enqueuedNanos());
    }
    return longest;
  }

  @Test
  void underSteadyOverloadTheAdmittedWaitStaysNearTheStandingLimit() throws Exception {
    DynamicBatcher b = learned(2_000); // 2 ms a batch of 4 rows, 3 ms a round: limit 8 ms
    int batchesBefore = runner.batchRows().size();
    openLoop(b, 8, 1_000); // twice what the engine serves, for a second
    // Without the limit the queue grows to the 1 s timeout (about 500 ms here).
    long longest = longestRecentWaitNanos(500);
    assertTrue(longest <= TimeUnit.MILLISECONDS.toNanos(11),
        "admitted requests of the last 500 ms waited up to " + longest / 1e6 + " ms");
    assertTrue(rejected.get() > 0, "the overload was refused in part");
    List<Long> rows = runner.batchRows().subList(batchesBefore, runner.batchRows().size());
    assertEquals(List.of(4L), rows.stream().distinct().toList(),
        "every batch was full: no throughput lost");
  }

  @Test
  void anOverloadHeldAtTheQueueTimeoutIsBoundedToo() throws Exception {
    DynamicBatcher b = learned(10_000); // 10 ms a batch: the standing limit is 40 ms
    offer(b, 401); // 100 batches, 1 s: the last one refused by the queue timeout
    // The queue now sets no new highs: the queue timeout holds it at 1 s while the load goes on.
    openLoop(b, 8, 3_000);
    long longest = longestRecentWaitNanos(1_000);
    assertTrue(longest <= TimeUnit.MILLISECONDS.toNanos(60),
        "admitted requests of the last second waited up to " + longest / 1e6 + " ms");
  }

  @Test
  void aMildOverloadIsBoundedToo() throws Exception {
    DynamicBatcher b = learned(2_000);
    openLoop(b, 5, 3_000); // a quarter more than the engine serves, for 3 s
    // Without the limit the queue grows by a row a round, to about 750 ms of waiting here.
    long longest = longestRecentWaitNanos(1_000);
    assertTrue(longest <= TimeUnit.MILLISECONDS.toNanos(11),
        "admitted requests of the last second waited up to " + longest / 1e6 + " ms");
  }

  @Test
  void theRefusalSaysWhatWasExceeded() {
    DynamicBatcher b = learned(2_000);
    openLoop(b, 8, 600);
    int before = rejected.get();
    InferenceException e = assertThrows(InferenceException.class, () -> {
      for (int i = 0; i < 100; i++) {
        submit(b, 1);
      }
    });
    assertTrue(e.getMessage().startsWith("model m:1 is overloaded (its queue keeps growing): a"
        + " new request would wait about "), e.getMessage());
    assertTrue(e.getMessage().endsWith(" ms, the limit of a standing queue is 8.0 ms (4 recent"
        + " batch times, at least 5 ms); retry later"), e.getMessage());
    assertEquals(before + 1, rejected.get());
  }

  @Test
  void aClosedLoopOfAnyDepthIsNotRefused() throws Exception {
    DynamicBatcher b = learned(2_000);
    offer(b, 40); // 40 clients, each sending its next request when its answer came: 20 ms
    for (int round = 0; round < 300; round++) {
      ticker.advance(1, TimeUnit.MILLISECONDS);
      assertTrue(b.runOnce(0));
      assertEquals(0, offer(b, 4), "round " + round);
    }
    assertTrue(longestRecentWaitNanos(100) >= TimeUnit.MILLISECONDS.toNanos(20),
        "the queue stood deeper than the standing limit");
  }

  @Test
  void aClosedLoopWhoseDepthCreepsUpByARequestAWindowIsNotRefused() throws Exception {
    DynamicBatcher b = learned(2_000); // 3 ms a round: a 100 ms window is about 33 rounds
    offer(b, 36); // 40 clients, 4 of them with an answer in transit at first
    for (int round = 0; round < 240; round++) {
      ticker.advance(1, TimeUnit.MILLISECONDS);
      assertTrue(b.runOnce(0));
      // the answered clients send again, and once a window one more client's answer arrives:
      // the queue's highest depth rises by one request in each of several windows
      int more = round % 34 == 33 && round < 34 * 4 ? 1 : 0;
      assertEquals(0, offer(b, 4 + more), "round " + round);
    }
  }

  @Test
  void aClosedLoopWhoseAnswersReturnInClumpsIsNotRefused() {
    DynamicBatcher b = learned(20_000); // 20 ms a batch: few requests a window
    offer(b, 40); // 40 clients; their answers reach them three batches at a time
    int answered = 0;
    for (int round = 0; round < 100; round++) {
      assertTrue(b.runOnce(0));
      answered += 4;
      if (round % 3 == 2) {
        assertEquals(0, offer(b, answered), "round " + round);
        answered = 0;
      }
    }
  }

  @Test
  void aBurstThatDrainsIsAdmittedUpToTheQueueTimeout() {
    DynamicBatcher b = learned(2_000);
    for (int round = 0; round < 3; round++) {
      assertEquals(0, offer(b, 200)); // 50 batches, 100 ms: far over the standing limit
      ticker.advance(60, TimeUnit.MILLISECONDS);
      while (b.queueDepth() > 0) {
        assertTrue(b.runOnce(0));
      }
    }
    assertEquals(0, rejected.get());
  }

  @Test
  void theTightLimitHoldsUntil100MsAfterItsLastRefusal() {
    DynamicBatcher b = learned(2_000);
    openLoop(b, 8, 1_000); // refusing for some 200 ms by its end
    assertTrue(rejected.get() > 0);
    while (b.queueDepth() > 0) {
      assertTrue(b.runOnce(0)); // the queue drains and is found empty again...
    }
    int before = rejected.get();
    assertEquals(1, offer(b, 13), "...but the overload goes on: 12 rows queue, 3 batches");
    while (b.queueDepth() > 0) {
      assertTrue(b.runOnce(0));
    }
    ticker.advance(100, TimeUnit.MILLISECONDS); // 100 ms without such a refusal
    assertEquals(0, offer(b, 40), "a burst is a burst again");
    assertEquals(before + 1, rejected.get());
  }

  @Test
  void theStandingLimitFollowsTheBatchTime() {
    DynamicBatcher slow = learned(20_000); // 20 ms a batch: 80 ms
    openLoop(slow, 8, 2_000);
    InferenceException e = assertThrows(InferenceException.class, () -> offerAll(slow));
    assertTrue(e.getMessage().contains("the limit of a standing queue is 80.0 ms"), e.getMessage());
  }

  @Test
  void theStandingLimitIsAtLeast5Ms() {
    DynamicBatcher fast = learned(100); // 0.1 ms a batch: 0.4 ms, raised to 5 ms
    openLoop(fast, 5, 600); // a quarter over: the queue stays under its 1000 requests
    InferenceException e = assertThrows(InferenceException.class, () -> offerAll(fast));
    assertTrue(e.getMessage().contains("the limit of a standing queue is 5.0 ms"), e.getMessage());
  }

  private static void offerAll(DynamicBatcher b) {
    for (int i = 0; i < 1000; i++) {
      submit(b, 1);
    }
  }
}
