package io.mlserve.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlserve.server.metrics.ExecutionStats.BatchSize;
import io.mlserve.server.metrics.ExecutionStats.Duration;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutionStatsTest {
  private static final Instant NOW = Instant.parse("2026-11-30T02:00:00Z");
  private final ExecutionStats stats = new ExecutionStats(Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void nothingRecordedIsAllZero() {
    ExecutionStats.Snapshot s = stats.snapshot();
    assertEquals(0, s.lastInferenceMillis());
    assertEquals(0, s.inferenceCount());
    assertEquals(0, s.executionCount());
    assertEquals(new Duration(0, 0), s.success());
    assertEquals(List.of(), s.batchSizes());
  }

  @Test
  void eachRequestOfABatchIsChargedTheBatchPhases() {
    // Triton's own example: 64 requests of one row batched into one execution.
    stats.executed(64, 64, 10, 1000, 20);
    stats.executed(1, 64, 5, 900, 7); // one request of 64 rows
    ExecutionStats.Snapshot s = stats.snapshot();
    assertEquals(128, s.inferenceCount());
    assertEquals(2, s.executionCount());
    assertEquals(new Duration(65, 64 * 10 + 5), s.computeInput());
    assertEquals(new Duration(65, 64 * 1000 + 900), s.computeInfer());
    assertEquals(new Duration(65, 64 * 20 + 7), s.computeOutput());
    assertEquals(List.of(new BatchSize(64, new Duration(2, 15), new Duration(2, 1900),
        new Duration(2, 27))), s.batchSizes());
    assertEquals(NOW.toEpochMilli(), s.lastInferenceMillis());
  }

  @Test
  void outcomesAndQueueAreSummedSeparately() {
    stats.succeeded(300);
    stats.succeeded(200);
    stats.failed(50);
    stats.queued(40);
    stats.queued(-5); // a clock step backwards counts as 0, never subtracts
    ExecutionStats.Snapshot s = stats.snapshot();
    assertEquals(new Duration(2, 500), s.success());
    assertEquals(new Duration(1, 50), s.fail());
    assertEquals(new Duration(2, 40), s.queue());
    assertEquals(0, s.lastInferenceMillis(), "only an execution is an inference");
  }

  @Test
  void batchSizesAscendAndAreBounded() {
    for (int size = ExecutionStats.MAX_BATCH_SIZES + 10; size >= 1; size--) {
      stats.executed(1, size, 0, 1, 0);
    }
    ExecutionStats.Snapshot s = stats.snapshot();
    assertEquals(ExecutionStats.MAX_BATCH_SIZES, s.batchSizes().size());
    assertEquals(ExecutionStats.MAX_BATCH_SIZES + 10, s.executionCount());
    List<BatchSize> sizes = s.batchSizes();
    for (int i = 1; i < sizes.size(); i++) {
      assertEquals(true, sizes.get(i - 1).batchSize() < sizes.get(i).batchSize());
    }
  }
}
