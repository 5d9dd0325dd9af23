package io.mlserve.approval;

import io.mlserve.store.Rollout;
import java.time.Duration;
import java.util.List;

/**
 * How an approved version is rolled out when the policy's {@code on_pass} is {@code rollout}:
 * the canary settings {@code mlctl rollout start} takes (null: its default). Checked when built,
 * against the same rules a rollout record obeys, so a policy never holds settings a rollout
 * would refuse. Immutable.
 *
 * @param steps the candidate's weight at each step, or null
 * @param bake each step's bake, or null
 * @param thresholds each step's analysis, or null
 * @param pauseAt the step after which the rollout waits for a resume, or null
 */
public record RolloutSettings(List<Double> steps, Duration bake, Rollout.Thresholds thresholds,
    Double pauseAt) {
  private static final Duration DEFAULT_BAKE = Duration.ofSeconds(60);
  /** The defaults of {@code mlctl rollout start}. */
  public static final RolloutSettings DEFAULTS = new RolloutSettings(null, null, null, null);

  public RolloutSettings {
    steps = steps == null ? null : List.copyOf(steps);
    try {
      new Rollout("candidate", "stable", steps == null ? Rollout.DEFAULT_STEPS : steps,
          (bake == null ? DEFAULT_BAKE : bake).toMillis(),
          thresholds == null ? Rollout.Thresholds.DEFAULTS : thresholds, pauseAt, 0,
          Rollout.State.RUNNING, 0, 0, null, null);
    } catch (IllegalArgumentException e) {
      throw new PolicyException("rollout: " + e.getMessage());
    }
  }
}
