package io.mlserve.server.rollout;

import io.mlserve.store.Rollout;
import io.mlserve.store.Rollout.State;
import io.mlserve.store.TrafficSplit;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The canary rollout controller as a pure state machine: from a model's rollout record, the
 * candidate's and the stable version's windows and the time, it decides what happens next
 * ({@link RolloutDecision}). It reads no clock, holds no state and does no I/O; the caller
 * applies the decision through the registry (which writes the record, so a restart resumes from
 * it). Thread-safe.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>Only a RUNNING rollout is judged; a paused one, one waiting at its pause-at gate, and a
 *       finished one get {@code NONE}.
 *   <li><b>Fail fast, pass late.</b> As soon as the candidate's window holds
 *       {@code min_requests}, every check runs, also mid-bake: a failing one aborts at once
 *       ({@code ABORT} with the check and its numbers). A step passes only when its full bake
 *       is over.
 *   <li>The bake of a step ends at {@code bakeStart + bake × (1 + extensions)}, where
 *       {@code bakeStart} is the later of the record's {@code step_started_at} and the
 *       candidate window's start. <b>A restart mid-step restarts that step's bake:</b> the
 *       restarted server's windows begin at the restart, and a step is only ever passed on a
 *       full bake of data the deciding server saw.
 *   <li>At the end of the bake, fewer than {@code min_requests} candidate requests extend the
 *       bake by one more bake time ({@code EXTEND}, saying how many there were); too little
 *       data is never a pass.
 *   <li>Checks on the candidate's own window: error rate {@code <= max_error_rate}, p95
 *       {@code <= max_p95_ms}, and, when a {@code max_divergence} is set and the window has a
 *       divergence, divergence {@code <= max_divergence} (a set threshold with nothing
 *       measured is said in the analysis, not failed). The stable arm's error rate and p95
 *       are in the analysis for comparison; they gate nothing.
 *   <li>With a {@code max_feedback_regression}, the feedback check ({@link FeedbackCheck})
 *       compares the candidate's feedback metric with the stable arm's in the same window. It
 *       runs as soon as both arms have {@code min_feedback} outcomes, also mid-bake, and a
 *       regression beyond the threshold aborts at once. At the end of the bake, too few
 *       outcomes extend the bake like too few requests do (the analysis says "feedback not
 *       measured (n=3 < 30 ...)"): a step that must be judged on feedback never passes on
 *       errors and latency alone. Extensions have no limit; an operator who cannot wait
 *       aborts or promotes. The last step (100%) has no stable traffic to compare with and
 *       skips the check, saying so.
 *   <li>A passed step: the last one {@code FINISH}es, the pause-at one {@code WAIT}s for a
 *       resume, any other {@code ADVANCE}s.
 * </ol>
 */
public final class RolloutController {
  /**
   * The decision for {@code rollout} at {@code nowMillis}.
   *
   * @param rollout the record's rollout section (null: no rollout, {@code NONE})
   * @param candidate the candidate's window over the current step
   * @param stable the stable version's window over the same time (for the analysis only)
   * @param nowMillis the time, epoch ms
   */
  public RolloutDecision next(Rollout rollout, ArmWindow candidate, ArmWindow stable,
      long nowMillis) {
    if (rollout == null) {
      return new RolloutDecision(RolloutDecision.Action.NONE, "no rollout");
    }
    Objects.requireNonNull(candidate, "candidate");
    Objects.requireNonNull(stable, "stable");
    if (rollout.state() != State.RUNNING) {
      return new RolloutDecision(RolloutDecision.Action.NONE, "rollout is "
          + rollout.state() + " at " + pct(rollout.weight()));
    }
    Rollout.Thresholds t = rollout.thresholds();
    boolean enough = candidate.requests() >= t.minRequests();
    if (enough) {
      Optional<String> failed = failure(t, candidate);
      if (failed.isPresent()) {
        return new RolloutDecision(RolloutDecision.Action.ABORT, failed.get() + " at "
            + pct(rollout.weight()));
      }
    }
    FeedbackCheck.Result feedback = FeedbackCheck.judge(rollout, candidate, stable);
    if (feedback.verdict() == FeedbackCheck.Verdict.FAILED) {
      return new RolloutDecision(RolloutDecision.Action.ABORT, feedback.text() + " at "
          + pct(rollout.weight()));
    }
    long bakeStart = Math.max(rollout.stepStartedAt(), candidate.sinceMillis());
    long end = bakeStart + rollout.bakeMillis() * (1L + rollout.extensions());
    if (nowMillis < end) {
      return new RolloutDecision(RolloutDecision.Action.NONE, "baking at "
          + pct(rollout.weight()) + ": " + seconds(end - nowMillis) + " left, "
          + candidate.requests() + " requests so far");
    }
    if (!enough) {
      return new RolloutDecision(RolloutDecision.Action.EXTEND, "too few requests at "
          + pct(rollout.weight()) + ": " + candidate.requests() + " < " + t.minRequests()
          + " in " + seconds(nowMillis - bakeStart) + "; bake extended (extension "
          + (rollout.extensions() + 1) + ")");
    }
    if (feedback.verdict() == FeedbackCheck.Verdict.NOT_MEASURED) {
      return new RolloutDecision(RolloutDecision.Action.EXTEND, feedback.text() + " at "
          + pct(rollout.weight()) + " in " + seconds(nowMillis - bakeStart)
          + "; bake extended (extension " + (rollout.extensions() + 1) + ")");
    }
    String passed = "passed at " + pct(rollout.weight()) + ": " + summary(t, candidate, stable)
        + (feedback.text() == null ? "" : "; " + feedback.text());
    if (rollout.atLastStep()) {
      return new RolloutDecision(RolloutDecision.Action.FINISH, passed);
    }
    if (rollout.pauseAt() != null && rollout.weight() == rollout.pauseAt()) {
      return new RolloutDecision(RolloutDecision.Action.WAIT, passed
          + "; waiting for a resume (pause-at " + pct(rollout.pauseAt()) + ")");
    }
    return new RolloutDecision(RolloutDecision.Action.ADVANCE, passed + "; next "
        + pct(rollout.steps().get(rollout.step() + 1)));
  }

  /** The first failing check on the candidate's window, in words with its numbers. */
  private static Optional<String> failure(Rollout.Thresholds t, ArmWindow c) {
    String over = " over " + c.requests() + " requests";
    if (c.errorRate() > t.maxErrorRate()) {
      return Optional.of("error rate " + num(c.errorRate()) + " > " + num(t.maxErrorRate())
          + over);
    }
    if (c.p95Millis() > t.maxP95Ms()) {
      return Optional.of("p95 " + num(c.p95Millis()) + " ms > " + num(t.maxP95Ms()) + " ms"
          + over);
    }
    if (t.maxDivergence() != null && c.divergence() != null
        && c.divergence() > t.maxDivergence()) {
      return Optional.of("divergence " + num(c.divergence()) + " > " + num(t.maxDivergence())
          + over);
    }
    return Optional.empty();
  }

  private static String summary(Rollout.Thresholds t, ArmWindow c, ArmWindow s) {
    List<String> parts = new ArrayList<>();
    parts.add("error rate " + num(c.errorRate()) + " <= " + num(t.maxErrorRate()));
    parts.add("p95 " + num(c.p95Millis()) + " ms <= " + num(t.maxP95Ms()) + " ms");
    if (t.maxDivergence() != null) {
      parts.add(c.divergence() == null ? "divergence not measured"
          : "divergence " + num(c.divergence()) + " <= " + num(t.maxDivergence()));
    }
    return String.join(", ", parts) + " over " + c.requests() + " requests (stable: error"
        + " rate " + num(s.errorRate()) + ", p95 " + num(s.p95Millis()) + " ms over "
        + s.requests() + ")";
  }

  /** Three significant digits, no exponent: 0.0339 → 0.034, 251.4 → 251. */
  static String num(double v) {
    if (!Double.isFinite(v)) {
      return Double.toString(v);
    }
    if (Math.abs(v) >= 100) {
      return Long.toString(Math.round(v));
    }
    return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }

  private static String pct(double weight) {
    return TrafficSplit.format(weight) + "%";
  }

  private static String seconds(long millis) {
    return num(millis / 1000.0) + " s";
  }
}
