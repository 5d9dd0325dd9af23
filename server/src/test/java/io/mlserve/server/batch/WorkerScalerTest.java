package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerScalerTest {
  private static final long S = 1_000_000_000L;
  private static final long MS = 1_000_000L;
  // up over 2 s, down over 30 s
  private final WorkerScaler scaler = new WorkerScaler(ScalingSettings.between(1, 3));
  private long now = 0;
  private int workers = 1;

  /**
   * {@code millis} of load in 10 ms cycles: all workers busy for {@code busyPercent} of each
   * cycle with {@code queued} requests waiting meanwhile, then idle with an empty queue; each
   * change is reported and a decision taken, as the batcher's workers do.
   *
   * @return the sum of the steps taken
   */
  private int run(long millis, int busyPercent, int queued) {
    int steps = 0;
    for (long end = now + millis * MS; now < end; ) {
      long busyNanos = 10 * MS * busyPercent / 100;
      scaler.loadChanged(now, workers, workers, queued);
      steps += step();
      now += busyNanos;
      scaler.loadChanged(now, workers, 0, 0); // the queue was just emptied
      steps += step();
      now += 10 * MS - busyNanos;
    }
    return steps;
  }

  private int step() {
    int s = scaler.decide(now, workers);
    workers += s;
    if (s != 0) {
      scaler.loadChanged(now, workers, 0, 0);
    }
    return s;
  }

  @Test
  void sustainedBusyTimeWithRequestsWaitingAddsAWorkerAfterTheUpWindow() {
    assertEquals(0, run(1900, 95, 4));
    assertEquals(+1, run(400, 95, 4));
    assertEquals(2, workers);
  }

  @Test
  void addsStepByStepUpToMaxOnly() {
    assertEquals(2, run(60_000, 100, 50));
    assertEquals(3, workers);
  }

  @Test
  void busyWorkersWithNothingWaitingAreNotOverloaded() {
    // one client in a closed loop keeps its worker busy; another worker would not help it
    assertEquals(0, run(60_000, 95, 0));
  }

  @Test
  void aQueueBehindIdleWorkersIsNotOverload() {
    // requests waiting out a queue delay while the workers idle
    assertEquals(0, run(60_000, 10, 20));
  }

  @Test
  void shortBurstsNeverScale() {
    for (int i = 0; i < 20; i++) {
      assertEquals(0, run(1000, 100, 20), "a 1 s burst");
      assertEquals(0, run(2000, 0, 0), "then 2 s idle");
    }
  }

  @Test
  void removesAWorkerAfterTheLongerIdleWindowAndNeverBelowMin() {
    run(3000, 100, 10);
    assertEquals(2, workers);
    assertEquals(0, run(28_000, 20, 0), "20% busy for 28 s: not yet a full down window");
    assertEquals(-1, run(3000, 20, 0));
    assertEquals(1, workers);
    assertEquals(0, run(300_000, 0, 0), "at min");
  }

  @Test
  void moderateUtilisationKeepsTheCountEitherWay() {
    run(3000, 100, 10);
    assertEquals(2, workers);
    assertEquals(0, run(120_000, 50, 2), "50% busy is neither");
  }

  @Test
  void theStepRestartsTheWindowsAndIsLogged() {
    run(2300, 100, 10);
    assertEquals(2, workers);
    Load load = scaler.lastStepLoad();
    assertTrue(load.utilisation() >= 0.99 && load.meanQueued() >= 9.9, load.toString());
    assertEquals(0, run(1600, 100, 10), "the next step needs a full window of its own");
    assertEquals(+1, run(400, 100, 10));
  }

  @Test
  void aLongSilenceBetweenChangesIsIntegratedInFull() {
    // one change, then nothing for a minute: the counts held all along
    scaler.loadChanged(0, 1, 1, 5);
    assertEquals(0, scaler.decide(S, 1));
    assertEquals(+1, scaler.decide(60 * S, 1));
  }

  @Test
  void noDecisionBeforeAnyLoadIsKnown() {
    assertEquals(0, scaler.decide(TimeUnit.HOURS.toNanos(1), 2));
  }

  @Test
  void loadWindowKeepsFewMarksAndCoversAtLeastItsLength() {
    LoadIntegral integral = new LoadIntegral();
    LoadWindow window = new LoadWindow(8 * S);
    integral.set(0, 2, 1, 0);
    window.restart(0, integral);
    assertNull(window.over(7 * S, integral), "less than a window since the restart");
    for (long t = 0; t < 1000; t++) {
      window.advance(t * S, integral);
      integral.set(t * S, 2, (int) (t % 3 == 0 ? 2 : 1), (int) (t % 2));
    }
    Load load = window.over(1000 * S, integral);
    assertTrue(load.nanos() >= 8 * S && load.nanos() < 9 * S, load.toString());
    assertTrue(window.marks() <= LoadWindow.STEPS + 2, "marks " + window.marks());
    // seconds 992..999: busy 2,1,1,2,... -> (2+1+1+2+1+1+2+1)/16 = 11/16
    assertEquals(11 / 16.0, load.utilisation(), 1e-9);
    assertEquals(0.5, load.meanQueued(), 1e-9);
  }
}
