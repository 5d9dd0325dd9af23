package io.mlserve.server.rollout;

import io.mlserve.server.experiment.Metric;
import io.mlserve.store.Rollout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The feedback check of a step's analysis, for {@link RolloutController}: the candidate's
 * feedback metric against the stable version's, over the same step's window, each arm on its
 * own outcomes. Pure and stateless; thread-safe.
 *
 * <p>Rules:
 * <ul>
 *   <li>Without a {@code max_feedback_regression} nothing is checked ({@link Verdict#OFF}); the
 *       figures both arms have are shown for comparison.
 *   <li>At a step where the stable version serves nothing (100%) there is no stable arm to
 *       compare with in the window ({@link Verdict#NOT_AT_FULL}): the candidate was compared
 *       at every earlier step (a rollout with a feedback threshold has at least one), and
 *       comparing it now with an older window would compare times as well as versions.
 *   <li>A metric is judged when both arms have at least {@code min_feedback} outcomes of it.
 *       None judged: {@link Verdict#NOT_MEASURED} (the controller extends the bake, as for too
 *       few requests: too little data is never a pass).
 *   <li>The candidate's value is worse than the stable's by {@code (c - s) / |s|} for MAE and
 *       RMSE, {@code (s - c) / |s|} for accuracy and reward (with {@code s} 0, any worsening is
 *       unbounded; a NaN value, from a model answering NaN, is the worst there is). Any judged metric worse by more than {@code max_feedback_regression}:
 *       {@link Verdict#FAILED}, naming the worst; else {@link Verdict#PASSED}.
 *   <li>The point estimates decide; no significance test is required. A noisy metric wants a
 *       larger {@code min_feedback}: a false abort costs a retry, a false pass costs a worse
 *       model in Production. The A/B report of the same window gives the intervals and
 *       Welch's p-values for a human.
 * </ul>
 */
final class FeedbackCheck {
  /** What the check found. */
  enum Verdict { OFF, NOT_AT_FULL, NOT_MEASURED, PASSED, FAILED }

  /**
   * The check's outcome.
   *
   * @param text the analysis' words with the numbers, or null when there is nothing to say
   */
  record Result(Verdict verdict, String text) {}

  /** Relative slack so that "at most 5% worse" passes at exactly 5% despite rounding. */
  private static final double SLACK = 1e-9;

  private FeedbackCheck() {}

  static Result judge(Rollout rollout, ArmWindow candidate, ArmWindow stable) {
    Rollout.Thresholds t = rollout.thresholds();
    if (t.maxFeedbackRegression() == null) {
      List<String> shown = new ArrayList<>();
      for (Metric m : Metric.values()) {
        Optional<FeedbackFigure> c = candidate.feedback(m);
        Optional<FeedbackFigure> s = stable.feedback(m);
        if (c.isPresent() && s.isPresent()) {
          shown.add(figures(c.get(), s.get()));
        }
      }
      return new Result(Verdict.OFF, shown.isEmpty() ? null
          : String.join(", ", shown) + ", not checked");
    }
    if (rollout.weight() >= 100) {
      return new Result(Verdict.NOT_AT_FULL, "feedback not compared at 100% (the stable"
          + " version serves nothing; it was compared at the earlier steps)");
    }
    double max = t.maxFeedbackRegression();
    List<String> judged = new ArrayList<>();
    FeedbackFigure[] worst = null; // {candidate, stable} of the worst judged metric
    FeedbackFigure[] most = null; // {candidate, stable} of the metric measured most
    for (Metric m : Metric.values()) {
      FeedbackFigure c = candidate.feedback(m).orElse(new FeedbackFigure(m, 0, 0));
      FeedbackFigure s = stable.feedback(m).orElse(new FeedbackFigure(m, 0, 0));
      if (c.n() == 0 && s.n() == 0) {
        continue;
      }
      if (most == null || Math.min(c.n(), s.n()) > Math.min(most[0].n(), most[1].n())) {
        most = new FeedbackFigure[] {c, s};
      }
      if (Math.min(c.n(), s.n()) < t.minFeedback()) {
        continue;
      }
      double r = regression(c, s);
      judged.add(figures(c, s) + ": " + relative(r, max));
      if (worst == null || r > regression(worst[0], worst[1])) {
        worst = new FeedbackFigure[] {c, s};
      }
    }
    if (worst == null) {
      long cn = most == null ? 0 : most[0].n();
      long sn = most == null ? 0 : most[1].n();
      return new Result(Verdict.NOT_MEASURED, "feedback not measured (n=" + Math.min(cn, sn)
          + " < " + t.minFeedback() + "; candidate n=" + cn + ", stable n=" + sn + ")");
    }
    double r = regression(worst[0], worst[1]);
    if (exceeds(r, max)) {
      return new Result(Verdict.FAILED, figures(worst[0], worst[1]) + ": " + relative(r, max));
    }
    return new Result(Verdict.PASSED, String.join(", ", judged));
  }

  private static boolean exceeds(double regression, double max) {
    return regression > max * (1 + SLACK) + SLACK;
  }

  /** How much worse the candidate is, relative to the stable's value; negative: better. */
  static double regression(FeedbackFigure candidate, FeedbackFigure stable) {
    boolean up = candidate.metric().higherIsBetter();
    double c = orWorst(candidate.value(), up);
    double s = orWorst(stable.value(), up);
    double worse = up ? s - c : c - s;
    if (worse == 0 || Double.isNaN(worse)) { // equal, or both as bad as can be
      return 0;
    }
    if (Double.isInfinite(worse)) {
      return worse;
    }
    if (s == 0) {
      return worse > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }
    return worse / Math.abs(s);
  }

  /** NaN as the worst value of its direction: +inf where lower is better, -inf else. */
  private static double orWorst(double v, boolean higherIsBetter) {
    return Double.isNaN(v) ? (higherIsBetter ? Double.NEGATIVE_INFINITY
        : Double.POSITIVE_INFINITY) : v;
  }

  /** E.g. {@code feedback RMSE 1.31 vs stable 1.02 (n=45, stable n=812)}. */
  private static String figures(FeedbackFigure c, FeedbackFigure s) {
    return "feedback " + c.metric().label() + " " + RolloutController.num(c.value())
        + " vs stable " + RolloutController.num(s.value()) + " (n=" + c.n() + ", stable n="
        + s.n() + ")";
  }

  /** E.g. {@code 28.4% worse > 5%}, {@code 3% worse <= 5%}, {@code 12% better}. */
  private static String relative(double r, double max) {
    String limit = pct(max);
    if (Double.isInfinite(r)) { // against a stable 0, or a non-number on either side
      return r > 0 ? "worse without bound > " + limit : "better without bound";
    }
    if (r < 0) {
      return pct(-r) + " better";
    }
    return pct(r) + " worse " + (exceeds(r, max) ? ">" : "<=") + " " + limit;
  }

  private static String pct(double fraction) {
    return RolloutController.num(fraction * 100) + "%";
  }
}
