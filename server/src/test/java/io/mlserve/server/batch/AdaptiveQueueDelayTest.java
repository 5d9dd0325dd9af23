package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AdaptiveQueueDelayTest {
  private static final long W = ArrivalRate.WINDOW_NANOS;
  private static final long FIXED = 210_000; // the heavy MLP's per-call time, about
  private static final long PER_ROW = 40_000;

  /** A compute-bound model: 1-row and 64-row batches taught. */
  private static AdaptiveQueueDelay computeBound() {
    AdaptiveQueueDelay delay = new AdaptiveQueueDelay(64);
    for (int i = 0; i < 4; i++) {
      delay.batchRan(1, FIXED + PER_ROW);
      delay.batchRan(64, FIXED + 64 * PER_ROW);
    }
    return delay;
  }

  /** Rows arriving at {@code perWindow} a window over [0, W): the rate read from W on. */
  private static void load(AdaptiveQueueDelay delay, int perWindow) {
    for (int i = 0; i < perWindow; i++) {
      delay.arrived(i * (W / perWindow), 1);
    }
  }

  @Test
  void underLoadAComputeBoundModelWaitsWhileFewerRowsAreQueuedThanArriveInOneFixedTime() {
    AdaptiveQueueDelay delay = computeBound();
    load(delay, 100); // 10 rows a ms: 2.1 rows arrive within the fixed 210 us
    long now = W;
    assertEquals(FIXED, delay.waitNanos(now, 1, now, Long.MAX_VALUE), 1);
    assertEquals(FIXED - 50_000, delay.waitNanos(now + 50_000, 2, now, Long.MAX_VALUE), 1);
    assertEquals(0, delay.waitNanos(now + 60_000, 3, now, Long.MAX_VALUE), "enough company");
    assertEquals(0, delay.waitNanos(now + FIXED, 1, now, Long.MAX_VALUE),
        "no wait is longer than one batch's fixed time");
    assertEquals(0, delay.waitNanos(now, 64, now, Long.MAX_VALUE), "a full batch goes");
  }

  @Test
  void aLoneRequestNeverWaits() {
    AdaptiveQueueDelay delay = computeBound();
    load(delay, 4); // 400 rows/s: 0.08 rows within the fixed time
    assertEquals(0, delay.waitNanos(W, 1, W, Long.MAX_VALUE));
    AdaptiveQueueDelay busyThenQuiet = computeBound();
    load(busyThenQuiet, 1000);
    busyThenQuiet.arrived(3 * W, 1); // the first request after a pause
    assertEquals(0, busyThenQuiet.waitNanos(3 * W, 1, 3 * W, Long.MAX_VALUE));
  }

  @Test
  void nothingWaitsUntilTheCostIsLearnedNorOnAModelWithoutFixedTime() {
    AdaptiveQueueDelay unknown = new AdaptiveQueueDelay(64);
    load(unknown, 1000);
    assertEquals(0, unknown.waitNanos(W, 1, W, Long.MAX_VALUE));
    AdaptiveQueueDelay linear = new AdaptiveQueueDelay(64);
    for (int i = 0; i < 4; i++) {
      linear.batchRan(1, PER_ROW);
      linear.batchRan(64, 64 * PER_ROW);
    }
    load(linear, 1000);
    assertEquals(0, linear.waitNanos(W, 1, W, Long.MAX_VALUE));
  }

  @Test
  void theHeadsDeadlineCutsTheWait() {
    AdaptiveQueueDelay delay = computeBound();
    load(delay, 100);
    long now = W;
    assertEquals(0, delay.waitNanos(now, 1, now, now + 2 * FIXED), "no time for wait + batch");
    assertEquals(FIXED, delay.waitNanos(now, 1, now, now + 3 * FIXED), 1);
  }
}
