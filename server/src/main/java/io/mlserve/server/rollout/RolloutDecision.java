package io.mlserve.server.rollout;

import java.util.Objects;

/**
 * What the rollout controller decided for a model's rollout at one moment
 * ({@link RolloutController#next}), with the analysis in words for the record's
 * {@code last_analysis}, the events and {@code mlctl rollout status}. Immutable.
 *
 * @param action what to do
 * @param analysis why, with the numbers (for {@link Action#ABORT}: the failing check, e.g.
 *     {@code error rate 0.034 > 0.01 over 212 requests})
 */
public record RolloutDecision(Action action, String analysis) {
  /** What the controller asks the registry to do. */
  public enum Action {
    /** Nothing yet: the step bakes, or the rollout is paused, waiting or over. */
    NONE,
    /** Too few requests to judge the step: extend its bake (never a pass by default). */
    EXTEND,
    /** The step passed: move to the next step. */
    ADVANCE,
    /** The pause-at step passed: wait for a manual resume. */
    WAIT,
    /** A check failed: the candidate's weight to 0 at once. */
    ABORT,
    /** The last step passed: promote the candidate and clear the split. */
    FINISH
  }

  public RolloutDecision {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(analysis, "analysis");
  }
}
