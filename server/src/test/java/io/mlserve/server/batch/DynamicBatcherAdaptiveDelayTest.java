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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The batcher without a configured queue delay (max_queue_delay 0) on a compute-bound model: it
 * learns the model's fixed time per batch and the arrival rate, and under load lets a small batch
 * wait for company; a lone request never waits.
 */
class DynamicBatcherAdaptiveDelayTest {
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
  private final DynamicBatcher batcher = new DynamicBatcher("m:1",
      new BatchSettings(64, 0, 1000, HOUR), List.of(computeBound), ticker, BatchListener.NONE);

  private CompletableFuture<BatchResult> submit(float base) {
    return batcher.submit(new Tensor[] {FakeRunner.rows(1, base)}, 1, Long.MAX_VALUE);
  }

  /** Single-row batches, then four full batches of 64 one-row requests arriving 39 us apart. */
  private void load() {
    for (int i = 0; i < 4; i++) {
      submit(i);
      assertTrue(batcher.runOnce(0));
    }
    for (int k = 0; k < 4; k++) {
      for (int i = 0; i < 64; i++) {
        submit(i);
        ticker.advance(39, TimeUnit.MICROSECONDS);
      }
      assertTrue(batcher.runOnce(0));
    }
    assertEquals(List.of(1L, 1L, 1L, 1L, 64L, 64L, 64L, 64L), inner.batchRows());
  }

  @Test
  void underLoadASmallBatchWaitsForCompanyAndRunsAsOneWithTheSameResults() throws Exception {
    load();
    List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
    futures.add(submit(100));
    assertFalse(batcher.runOnce(0), "one row waits: more arrive within a batch's fixed time");
    long wait = batcher.nanosUntilNextBatch();
    assertTrue(wait > 0 && wait <= FIXED, "waits at most the fixed time, was " + wait);
    ticker.advance(30, TimeUnit.MICROSECONDS);
    futures.add(submit(200));
    assertFalse(batcher.runOnce(0));
    ticker.advance(30, TimeUnit.MICROSECONDS);
    futures.add(submit(300));
    assertEquals(0, batcher.nanosUntilNextBatch(), "three rows: as many as one fixed time brings");
    assertTrue(batcher.runOnce(0));
    assertEquals(3L, inner.batchRows().get(inner.batchRows().size() - 1));
    FakeRunner alone = new FakeRunner();
    float[] bases = {100, 200, 300};
    for (int i = 0; i < 3; i++) {
      float[] expected =
          FakeRunner.floats(alone.predict(new Tensor[] {FakeRunner.rows(1, bases[i])})[0]);
      assertArrayEquals(expected, FakeRunner.floats(futures.get(i).get().outputs()[0]));
    }
  }

  @Test
  void aWaitingRowGoesAfterAtMostOneFixedTime() {
    load();
    submit(1);
    assertFalse(batcher.runOnce(0));
    ticker.advance(FIXED, TimeUnit.NANOSECONDS);
    assertEquals(0, batcher.nanosUntilNextBatch());
    assertTrue(batcher.runOnce(0));
    assertEquals(1L, inner.batchRows().get(inner.batchRows().size() - 1));
  }

  @Test
  void aLoneRequestAfterAQuietSpellRunsAtOnce() {
    load();
    ticker.advance(50, TimeUnit.MILLISECONDS);
    submit(1);
    assertEquals(0, batcher.nanosUntilNextBatch());
    assertTrue(batcher.runOnce(0));
  }

  @Test
  void aFixedDelayIsKeptAsConfigured() {
    DynamicBatcher fixed = new DynamicBatcher("m:1",
        new BatchSettings(64, 500_000, 1000, HOUR), List.of(computeBound), ticker,
        BatchListener.NONE);
    fixed.submit(new Tensor[] {FakeRunner.rows(1, 0)}, 1, Long.MAX_VALUE);
    assertEquals(500_000, fixed.nanosUntilNextBatch());
  }
}
