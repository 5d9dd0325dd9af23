package io.mlserve.server.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlserve.server.experiment.Metric;
import io.mlserve.server.rollout.RolloutDecision.Action;
import io.mlserve.store.Rollout;
import io.mlserve.store.Rollout.State;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The feedback check of a step's analysis through {@link RolloutController}, with a fake clock
 * (the {@code now} argument): a regression beyond {@code max_feedback_regression} aborts with
 * the numbers, in the metric's own direction; too few outcomes extend the bake like too few
 * requests; the last step, where the stable version serves nothing, skips it.
 */
class FeedbackCheckTest {
  private static final long T0 = 1_795_946_400_000L;
  private static final long BAKE = 60_000;

  private final RolloutController controller = new RolloutController();

  /** A rollout with at most 5% feedback regression and 30 outcomes per arm. */
  private static Rollout rollout(int step, int extensions) {
    return new Rollout("1.3.0", "1.2.0", List.of(5.0, 25.0, 50.0, 100.0), BAKE,
        new Rollout.Thresholds(0.01, 200, 100, null, 0.05, 30), null, step, State.RUNNING, T0,
        extensions, null, null);
  }

  private static ArmWindow arm(long requests, FeedbackFigure... feedback) {
    return new ArmWindow(T0, requests, 0, 120, null, List.of(feedback));
  }

  private static FeedbackFigure f(Metric m, long n, double value) {
    return new FeedbackFigure(m, n, value);
  }

  @Test
  void aRegressionBeyondTheThresholdAbortsWithTheNumbersAlsoMidBake() {
    RolloutDecision d = controller.next(rollout(0, 0), arm(300, f(Metric.RMSE, 45, 1.31)),
        arm(5000, f(Metric.RMSE, 812, 1.02)), T0 + 1_000);
    assertEquals(Action.ABORT, d.action());
    assertEquals("feedback RMSE 1.31 vs stable 1.02 (n=45, stable n=812): 28.4% worse > 5%"
        + " at 5%", d.analysis());
    // higher is better for accuracy: a lower share is the regression
    d = controller.next(rollout(1, 0), arm(300, f(Metric.ACCURACY, 60, 0.85)),
        arm(900, f(Metric.ACCURACY, 180, 0.9)), T0 + BAKE);
    assertEquals(Action.ABORT, d.action());
    assertEquals("feedback accuracy 0.85 vs stable 0.9 (n=60, stable n=180): 5.56% worse > 5%"
        + " at 25%", d.analysis());
    // the worst of the judged metrics is named
    d = controller.next(rollout(0, 0), arm(300, f(Metric.MAE, 40, 1.0), f(Metric.REWARD, 40,
        0.5)), arm(5000, f(Metric.MAE, 800, 1.0), f(Metric.REWARD, 800, 1.0)), T0 + BAKE);
    assertEquals("feedback reward 0.5 vs stable 1 (n=40, stable n=800): 50% worse > 5% at 5%",
        d.analysis());
    // a candidate answering NaN is as bad as can be
    d = controller.next(rollout(0, 0), arm(300, f(Metric.MAE, 40, Double.NaN)),
        arm(5000, f(Metric.MAE, 800, 1.0)), T0 + BAKE);
    assertEquals(Action.ABORT, d.action());
    assertEquals("feedback MAE NaN vs stable 1 (n=40, stable n=800): worse without bound > 5%"
        + " at 5%", d.analysis());
  }

  @Test
  void withinTheThresholdOrBetterPassesAndSaysBy() {
    RolloutDecision d = controller.next(rollout(0, 0), arm(300, f(Metric.MAE, 40, 1.05)),
        arm(5000, f(Metric.MAE, 800, 1.0)), T0 + BAKE);
    assertEquals(Action.ADVANCE, d.action(), d.analysis());
    assertEquals("passed at 5%: error rate 0 <= 0.01, p95 120 ms <= 200 ms over 300 requests"
        + " (stable: error rate 0, p95 120 ms over 5000); feedback MAE 1.05 vs stable 1 (n=40,"
        + " stable n=800): 5% worse <= 5%; next 25%", d.analysis());
    d = controller.next(rollout(0, 0), arm(300, f(Metric.ACCURACY, 40, 0.95)),
        arm(5000, f(Metric.ACCURACY, 800, 0.9)), T0 + BAKE);
    assertEquals(Action.ADVANCE, d.action(), d.analysis());
    assertEquals(true, d.analysis().endsWith("feedback accuracy 0.95 vs stable 0.9 (n=40,"
        + " stable n=800): 5.56% better; next 25%"), d.analysis());
    // a metric with too few outcomes is not judged while another one is
    d = controller.next(rollout(0, 0), arm(300, f(Metric.MAE, 40, 1.0), f(Metric.REWARD, 2,
        -9)), arm(5000, f(Metric.MAE, 800, 1.0), f(Metric.REWARD, 30, 1)), T0 + BAKE);
    assertEquals(Action.ADVANCE, d.action(), d.analysis());
  }

  @Test
  void tooFewOutcomesExtendTheBakeAndNeverPassOnErrorsAndLatencyAlone() {
    Rollout r = rollout(0, 0);
    ArmWindow stable = arm(5000, f(Metric.MAE, 400, 1.0));
    ArmWindow few = arm(300, f(Metric.MAE, 3, 9.0)); // bad, but three outcomes judge nothing
    assertEquals(Action.NONE, controller.next(r, few, stable, T0 + BAKE - 1).action());
    RolloutDecision d = controller.next(r, few, stable, T0 + BAKE);
    assertEquals(Action.EXTEND, d.action());
    assertEquals("feedback not measured (n=3 < 30; candidate n=3, stable n=400) at 5% in 60 s;"
        + " bake extended (extension 1)", d.analysis());
    d = controller.next(r, arm(300), arm(5000), T0 + BAKE);
    assertEquals(Action.EXTEND, d.action());
    assertEquals("feedback not measured (n=0 < 30; candidate n=0, stable n=0) at 5% in 60 s;"
        + " bake extended (extension 1)", d.analysis());
    // too few requests is said first: it is what the step waits for
    assertEquals("too few requests at 5%: 99 < 100 in 60 s; bake extended (extension 1)",
        controller.next(r, arm(99), stable, T0 + BAKE).analysis());
    Rollout extended = r.extended(d.analysis()); // as the registry's extend writes it
    assertEquals(Action.NONE, controller.next(extended, few, stable, T0 + 2 * BAKE - 1)
        .action());
    assertEquals(Action.EXTEND, controller.next(extended, few, stable, T0 + 2 * BAKE)
        .action());
    assertEquals(Action.ADVANCE, controller.next(extended, arm(300, f(Metric.MAE, 30, 1.0)),
        stable, T0 + 2 * BAKE).action());
  }

  @Test
  void theLastStepHasNoStableTrafficAndSkipsTheCheckSayingSo() {
    RolloutDecision d = controller.next(rollout(3, 0), arm(300, f(Metric.MAE, 100, 1.0)),
        arm(0), T0 + BAKE);
    assertEquals(Action.FINISH, d.action(), d.analysis());
    assertEquals(true, d.analysis().endsWith("; feedback not compared at 100% (the stable"
        + " version serves nothing; it was compared at the earlier steps)"), d.analysis());
  }

  @Test
  void withoutAThresholdFeedbackIsShownAndGatesNothing() {
    Rollout r = new Rollout("1.3.0", "1.2.0", List.of(5.0, 100.0), BAKE,
        Rollout.Thresholds.DEFAULTS, null, 0, State.RUNNING, T0, 0, null, null);
    assertEquals(Action.ADVANCE, controller.next(r, arm(300), arm(5000), T0 + BAKE).action());
    RolloutDecision d = controller.next(r, arm(300, f(Metric.MAE, 3, 9.0)),
        arm(5000, f(Metric.MAE, 400, 1.0)), T0 + BAKE);
    assertEquals(Action.ADVANCE, d.action());
    assertEquals(true, d.analysis().endsWith("; feedback MAE 9 vs stable 1 (n=3, stable"
        + " n=400), not checked; next 100%"), d.analysis());
  }

  @Test
  void againstAStableZeroAnyWorseningIsUnbounded() {
    FeedbackFigure zero = f(Metric.REWARD, 50, 0);
    assertEquals(Double.POSITIVE_INFINITY, FeedbackCheck.regression(f(Metric.REWARD, 50, -0.1),
        zero));
    assertEquals(Double.NEGATIVE_INFINITY, FeedbackCheck.regression(f(Metric.REWARD, 50, 0.1),
        zero));
    assertEquals(0.0, FeedbackCheck.regression(zero, zero));
    assertEquals(0.1, FeedbackCheck.regression(f(Metric.REWARD, 50, -1.1),
        f(Metric.REWARD, 50, -1.0)), 1e-12);
  }
}
