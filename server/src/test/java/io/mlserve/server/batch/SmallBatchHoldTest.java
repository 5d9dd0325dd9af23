package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When a free worker leaves a small batch to a busy one, on made-up times (no clock). */
class SmallBatchHoldTest {
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);
  private static final long FIXED = 210_000;
  private static final long PER_ROW = 40_000;
  private static final long W = ArrivalRate.WINDOW_NANOS;

  private static List<BatchRequest> rows(int n) {
    List<BatchRequest> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(request(0, Long.MAX_VALUE));
    }
    return batch;
  }

  private static BatchRequest request(long enqueued, long deadline) {
    return new BatchRequest(null, 1, enqueued, deadline);
  }

  /** Batches of 1 and 64 rows costing FIXED + PER_ROW a row; 200 rows a window (20 a ms). */
  private static SmallBatchHold learned(BatchSettings settings, boolean fixedWorkers,
      long perRow) {
    SmallBatchHold hold = new SmallBatchHold(settings, fixedWorkers);
    for (int i = 0; i < 4; i++) {
      hold.batchRan(rows(1), FIXED + perRow);
      hold.batchRan(rows(64), FIXED + 64 * perRow);
    }
    for (int i = 0; i < 200; i++) {
      hold.arrived(i * (W / 200), 1);
    }
    return hold;
  }

  private static SmallBatchHold learned() {
    return learned(new BatchSettings(64, 0, 1000, HOUR), true, PER_ROW);
  }

  @Test
  void underLoadAFreeWorkerLeavesFewerRowsThanOneFixedTimeBringsToABusyOne() {
    SmallBatchHold hold = learned();
    assertEquals(FIXED, hold.fixedNanos(), 1);
    BatchRequest head = request(W, Long.MAX_VALUE);
    // 20 rows a ms: 4.2 rows come within one fixed time of 210 us
    assertTrue(hold.holds(W, 1, head, 1, false));
    assertTrue(hold.holds(W, 4, head, 1, false));
    assertFalse(hold.holds(W, 5, head, 1, false), "as many rows as one fixed time brings");
    assertFalse(hold.holds(W, 64, head, 1, false), "a full batch");
    assertFalse(hold.holds(W, 1, head, 1, true), "closing");
  }

  @Test
  void aLoneRequestIsNeverHeld() {
    SmallBatchHold hold = learned();
    BatchRequest head = request(W, Long.MAX_VALUE);
    assertFalse(hold.holds(W, 1, head, 0, false), "no batch running: nobody to leave it to");
    assertFalse(hold.holds(3 * W, 1, request(3 * W, Long.MAX_VALUE), 1, false),
        "after a quiet window the rate reads 0");
  }

  @Test
  void aModelWhoseTimeIsProportionalToItsRowsNeverHolds() {
    SmallBatchHold proportional = new SmallBatchHold(new BatchSettings(64, 0, 1000, HOUR), true);
    for (int i = 0; i < 4; i++) {
      proportional.batchRan(rows(1), PER_ROW);
      proportional.batchRan(rows(64), 64 * PER_ROW);
    }
    for (int i = 0; i < 200; i++) {
      proportional.arrived(i * (W / 200), 1);
    }
    assertFalse(proportional.holds(W, 1, request(W, Long.MAX_VALUE), 1, false));
  }

  @Test
  void neitherAQueueDelayNorAutoscalingNorBatchingOffHolds() {
    BatchRequest head = request(W, Long.MAX_VALUE);
    assertFalse(learned(new BatchSettings(64, 1_000, 1000, HOUR), true, PER_ROW)
        .holds(W, 1, head, 1, false), "a configured delay decides instead");
    assertFalse(learned(new BatchSettings(64, 0, 1000, HOUR), false, PER_ROW)
        .holds(W, 1, head, 1, false), "autoscaling: a retiring worker would not take the rows");
    assertFalse(learned(new BatchSettings(1, 0, 1000, HOUR), true, PER_ROW)
        .holds(W, 1, head, 1, false), "max batch 1");
  }

  @Test
  void aRequestNearItsDeadlineOrQueueTimeoutIsNotHeld() {
    SmallBatchHold hold = learned();
    long fullBatch = FIXED + 64 * PER_ROW;
    assertTrue(hold.holds(W, 1, request(W, W + 2 * fullBatch + 1), 1, false));
    assertFalse(hold.holds(W, 1, request(W, W + 2 * fullBatch), 1, false), "deadline");
    SmallBatchHold shortTimeout = learned(
        new BatchSettings(64, 0, 1000, 2 * fullBatch + 100), true, PER_ROW);
    assertTrue(shortTimeout.holds(W, 1, request(W - 99, Long.MAX_VALUE), 1, false));
    assertFalse(shortTimeout.holds(W, 1, request(W - 100, Long.MAX_VALUE), 1, false),
        "queue timeout");
  }

  @Test
  void aHeldRowIsLookedAtAgainWithinOneFullBatchTimeAndReleasedWhenItsRoomRunsOut() {
    SmallBatchHold hold = learned();
    long full = FIXED + 64 * PER_ROW;
    assertEquals(full, hold.recheckNanos(), 64);
    BatchRequest head = request(W, W + 3 * full);
    assertTrue(hold.holds(W, 1, head, 1, false), "room for two full batches: held");
    // the busy batch stalls: after one recheck the deadline has less room than two batches
    assertFalse(hold.holds(W + hold.recheckNanos() + 1, 1, head, 1, false));
    assertTrue(new SmallBatchHold(new BatchSettings(64, 0, 1000, HOUR), true).recheckNanos() > 0,
        "never 0 (0 would wait for a wake-up only)");
  }
}
