package io.mlserve.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * A batch recorded at once ({@code onBatchDone}) leaves the same metrics as its requests
 * recorded one by one ({@code onRequestDone}): counts, sums and every histogram bucket.
 */
class ModelMetricsBatchTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T05:00:00Z"),
      ZoneOffset.UTC);

  @Test
  void aBatchAtOnceEqualsItsRequestsOneByOne() {
    long[] queue = {1_500_000, 20_000, 0, 7_250_000, -3_000}; // a clock step back counts as 0
    long compute = 2_345_000;
    ModelMetrics oneByOne = new ModelMetrics("m", "1");
    ModelMetrics batched = new ModelMetrics("m", "1");
    for (long q : queue) {
      oneByOne.onRequestDone(q, compute, true);
    }
    // a longer array than the batch: only the first count entries belong to it
    long[] withSpare = java.util.Arrays.copyOf(queue, queue.length + 2);
    withSpare[queue.length] = 99_000_000;
    batched.onBatchDone(withSpare, queue.length, compute);

    assertSame(oneByOne.queue(), batched.queue());
    assertSame(oneByOne.compute(), batched.compute());
    assertEquals(oneByOne.execution().snapshot().queue(), batched.execution().snapshot().queue());
    assertEquals(5, batched.compute().snapshot().getTotalCount());
    assertEquals(5 * 0.002345, batched.compute().sumSeconds(), 1e-9);
  }

  @Test
  void theDefaultListenerReportsEachRequest() {
    ModelMetrics target = new ModelMetrics("m", "1", CLOCK);
    io.mlserve.server.batch.BatchListener forwarding = new io.mlserve.server.batch.BatchListener() {
      @Override
      public void onRequestDone(long queueNanos, long computeNanos, boolean ok) {
        target.onRequestDone(queueNanos, computeNanos, ok);
      }
    };
    forwarding.onBatchDone(new long[] {1_000, 2_000_000, 3_000}, 2, 4_000_000);
    assertEquals(2, target.queue().snapshot().getTotalCount());
    assertEquals(2, target.compute().snapshot().getTotalCount());
    assertEquals(2, target.execution().snapshot().queue().count());
  }

  private static void assertSame(LatencyTracker expected, LatencyTracker actual) {
    Histogram e = expected.snapshot();
    Histogram a = actual.snapshot();
    assertEquals(e, a, "histograms differ");
    assertEquals(e.getTotalCount(), a.getTotalCount());
    assertEquals(expected.sumSeconds(), actual.sumSeconds(), 1e-12);
  }
}
