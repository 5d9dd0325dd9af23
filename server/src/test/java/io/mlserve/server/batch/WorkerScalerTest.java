package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WorkerScalerTest {
  private static final long S = 1_000_000_000L;
  // up after 2 s, down after 30 s, cool-down 5 s
  private final WorkerScaler scaler = new WorkerScaler(ScalingSettings.between(1, 3));

  @Test
  void addsAWorkerOnlyAfterTheQueueStayedLongForTheWholeWindow() {
    assertEquals(0, scaler.sample(0, 1, 1, 5));
    assertEquals(0, scaler.sample(S, 1, 1, 5));
    assertEquals(+1, scaler.sample(2 * S, 1, 1, 5));
  }

  @Test
  void shortBurstsNeverScale() {
    for (long t = 0; t < 60; t += 3) {
      assertEquals(0, scaler.sample(t * S, 1, 1, 9), "burst at " + t);
      assertEquals(0, scaler.sample((t + 1) * S, 1, 1, 9));
      assertEquals(0, scaler.sample((t + 2) * S, 1, 0, 0), "the queue emptied: window restarts");
    }
  }

  @Test
  void busyWorkersWithWorkWaitingCountAsOverload() {
    assertEquals(0, scaler.sample(0, 2, 2, 1));
    assertEquals(+1, scaler.sample(2 * S, 2, 2, 1));
  }

  @Test
  void removesAWorkerAfterTheLongerIdleWindowAndNeverBelowMin() {
    assertEquals(0, scaler.sample(0, 2, 0, 0));
    assertEquals(0, scaler.sample(29 * S, 2, 0, 0));
    assertEquals(-1, scaler.sample(30 * S, 2, 0, 0));
    assertEquals(0, scaler.sample(300 * S, 1, 0, 0), "at min");
  }

  @Test
  void oneStepPerCooldownAndNeverAboveMax() {
    scaler.sample(0, 1, 1, 50);
    assertEquals(+1, scaler.sample(2 * S, 1, 1, 50));
    assertEquals(0, scaler.sample(4 * S, 2, 2, 50), "the next step needs its own window");
    assertEquals(0, scaler.sample(6 * S, 2, 2, 50), "cool-down");
    assertEquals(+1, scaler.sample(7 * S, 2, 2, 50));
    assertEquals(0, scaler.sample(100 * S, 3, 3, 50), "at max");
  }

  @Test
  void moderateUtilisationWithAnEmptyQueueKeepsTheCount() {
    for (long t = 0; t < 100; t++) {
      assertEquals(0, scaler.sample(t * S, 2, 1, 0), "50% busy is neither");
    }
  }
}
