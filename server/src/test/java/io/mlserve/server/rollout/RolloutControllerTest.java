package io.mlserve.server.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlserve.server.experiment.Metric;
import io.mlserve.server.rollout.RolloutDecision.Action;
import io.mlserve.store.Rollout;
import io.mlserve.store.Rollout.State;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RolloutController} with a fake clock (the {@code now} argument, advanced by hand): no
 * sleeps, no threads.
 */
class RolloutControllerTest {
  private static final long T0 = 1_795_946_400_000L;
  private static final long BAKE = 60_000;
  private static final Rollout.Thresholds T = new Rollout.Thresholds(0.01, 200, 100, 0.05);

  private final RolloutController controller = new RolloutController();
  private final ArmWindow stable = new ArmWindow(T0, 1000, 1, 100, null, null);

  private static Rollout rollout(int step, State state, long startedAt, int extensions,
      Double pauseAt) {
    return new Rollout("1.3.0", "1.2.0", List.of(5.0, 25.0, 50.0, 100.0), BAKE, T, pauseAt, step,
        state, startedAt, extensions, null, null);
  }

  private static ArmWindow good(long since, long requests) {
    return new ArmWindow(since, requests, 0, 120, 0.01, null);
  }

  @Test
  void stepsPassInOrderOnlyAfterTheFullBakeAndTheLastFinishes() {
    long now = T0;
    Rollout r = rollout(0, State.RUNNING, now, 0, null);
    List<Double> weights = new java.util.ArrayList<>();
    while (true) {
      weights.add(r.weight());
      RolloutDecision mid = controller.next(r, good(now, 500), stable, now + BAKE - 1);
      assertEquals(Action.NONE, mid.action(), mid.analysis());
      assertEquals("baking at " + Rollout.spec(List.of(r.weight())) + "%: 0.001 s left, 500"
          + " requests so far", mid.analysis());
      now += BAKE;
      RolloutDecision d = controller.next(r, good(now - BAKE, 500), stable, now);
      if (r.atLastStep()) {
        assertEquals(Action.FINISH, d.action(), d.analysis());
        break;
      }
      assertEquals(Action.ADVANCE, d.action(), d.analysis());
      r = r.atStep(r.step() + 1, now, d.analysis()); // as the registry's advance writes it
    }
    assertEquals(List.of(5.0, 25.0, 50.0, 100.0), weights);
  }

  @Test
  void thePassAnalysisHasTheCandidatesOwnNumbersAndTheStablesBeside() {
    RolloutDecision d = controller.next(rollout(1, State.RUNNING, T0, 0, null),
        new ArmWindow(T0, 400, 2, 150, 0.02, List.of(new FeedbackFigure(Metric.MAE, 40, 0.8))),
        new ArmWindow(T0, 1200, 60, 90, null, List.of(new FeedbackFigure(Metric.MAE, 400,
            0.85))), T0 + BAKE);
    assertEquals(Action.ADVANCE, d.action());
    assertEquals("passed at 25%: error rate 0.005 <= 0.01, p95 150 ms <= 200 ms, divergence"
        + " 0.02 <= 0.05 over 400 requests (stable: error rate 0.05, p95 90 ms over 1200);"
        + " feedback MAE 0.8 vs stable 0.85 (n=40, stable n=400), not checked; next 50%",
        d.analysis());
  }

  @Test
  void tooFewRequestsExtendTheBakeAndNeverPass() {
    Rollout r = rollout(0, State.RUNNING, T0, 0, null);
    RolloutDecision d = controller.next(r, good(T0, 99), stable, T0 + BAKE);
    assertEquals(Action.EXTEND, d.action());
    assertEquals("too few requests at 5%: 99 < 100 in 60 s; bake extended (extension 1)",
        d.analysis());
    Rollout extended = r.extended(d.analysis()); // as the registry's extend writes it
    assertEquals(Action.NONE, controller.next(extended, good(T0, 99), stable,
        T0 + 2 * BAKE - 1).action());
    assertEquals(Action.EXTEND, controller.next(extended, good(T0, 99), stable, T0 + 2 * BAKE)
        .action());
    assertEquals(Action.ADVANCE, controller.next(extended, good(T0, 100), stable,
        T0 + 2 * BAKE).action());
    assertEquals(Action.EXTEND, controller.next(r, ArmWindow.empty(T0), stable, T0 + BAKE)
        .action());
  }

  @Test
  void abortsOnErrorRateP95OrDivergenceWithTheNumbersAlsoMidBake() {
    Rollout r = rollout(0, State.RUNNING, T0, 0, null);
    RolloutDecision errors = controller.next(r, new ArmWindow(T0, 212, 7, 120, null, null),
        stable, T0 + 1_000);
    assertEquals(Action.ABORT, errors.action());
    assertEquals("error rate 0.033 > 0.01 over 212 requests at 5%", errors.analysis());
    RolloutDecision slow = controller.next(r, new ArmWindow(T0, 150, 0, 612.4, null, null),
        stable, T0 + BAKE);
    assertEquals(Action.ABORT, slow.action());
    assertEquals("p95 612 ms > 200 ms over 150 requests at 5%", slow.analysis());
    RolloutDecision diverging = controller.next(r, new ArmWindow(T0, 300, 0, 100, 0.31, null),
        stable, T0 + BAKE);
    assertEquals(Action.ABORT, diverging.action());
    assertEquals("divergence 0.31 > 0.05 over 300 requests at 5%", diverging.analysis());
    // too few requests to judge yet: a bad early window does not abort on a handful
    assertEquals(Action.NONE, controller.next(r, new ArmWindow(T0, 5, 5, 900, null, null),
        stable, T0 + 1_000).action());
    // no divergence measured: said, not failed
    RolloutDecision unmeasured = controller.next(r, good(T0, 300).withoutDivergence(), stable,
        T0 + BAKE);
    assertEquals(Action.ADVANCE, unmeasured.action());
    assertEquals(true, unmeasured.analysis().contains("divergence not measured"),
        unmeasured.analysis());
  }

  @Test
  void thePauseAtStepWaitsForAResumeAndOnlyARunningRolloutIsJudged() {
    Rollout r = rollout(1, State.RUNNING, T0, 0, 25.0);
    RolloutDecision d = controller.next(r, good(T0, 500), stable, T0 + BAKE);
    assertEquals(Action.WAIT, d.action());
    assertEquals(true, d.analysis().endsWith("; waiting for a resume (pause-at 25%)"),
        d.analysis());
    Rollout waiting = r.inState(State.WAITING_FOR_RESUME, d.analysis());
    for (Rollout idle : List.of(waiting, r.inState(State.PAUSED, null), r.aborted("x"),
        r.inState(State.SUCCEEDED, null))) {
      RolloutDecision n = controller.next(idle, new ArmWindow(T0, 500, 500, 900, null, null),
          stable, T0 + 10 * BAKE);
      assertEquals(Action.NONE, n.action(), idle.state().name());
      assertEquals("rollout is " + idle.state() + " at 25%", n.analysis());
    }
    // a resume (the registry moves to the next step) runs again and is judged again
    assertEquals(Action.ADVANCE, controller.next(waiting.atStep(2, T0 + BAKE, null),
        good(T0 + BAKE, 500), stable, T0 + 2 * BAKE).action());
    assertEquals(Action.NONE, controller.next(null, good(T0, 1), stable, T0).action());
  }

  @Test
  void aRestartMidStepRestartsThatStepsBakeFromTheNewWindow() {
    Rollout r = rollout(2, State.RUNNING, T0, 0, null); // step began at T0
    long restart = T0 + 50_000; // the server restarted 50 s into the bake; its windows begin
    ArmWindow fresh = good(restart, 500);
    RolloutDecision before = controller.next(r, fresh, stable, T0 + BAKE);
    assertEquals(Action.NONE, before.action(), "the old bake's end no longer counts");
    assertEquals("baking at 50%: 50 s left, 500 requests so far", before.analysis());
    assertEquals(Action.ADVANCE, controller.next(r, fresh, stable, restart + BAKE).action());
    // a window older than the step (same server) counts from the step's start
    assertEquals(Action.ADVANCE, controller.next(r, good(T0 - 5_000, 500), stable, T0 + BAKE)
        .action());
  }
}
