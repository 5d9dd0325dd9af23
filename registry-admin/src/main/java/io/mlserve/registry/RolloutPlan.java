package io.mlserve.registry;

import io.mlserve.store.Rollout;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What an operator asks for when starting a canary rollout ({@link ModelRegistry#startRollout}).
 * The registry checks it against the store and turns it into the record's {@link Rollout}.
 * Immutable.
 *
 * @param candidate the version to roll out
 * @param steps the candidate's weight at each step (null: {@link Rollout#DEFAULT_STEPS})
 * @param bake how long each step bakes (null: {@link #DEFAULT_BAKE})
 * @param thresholds what each step's analysis checks (null: {@link Rollout.Thresholds#DEFAULTS})
 * @param pauseAt a step's weight after which the rollout waits for a resume, or null
 */
public record RolloutPlan(String candidate, List<Double> steps, Duration bake,
    Rollout.Thresholds thresholds, Double pauseAt) {
  /** The bake of a step when none is given. */
  public static final Duration DEFAULT_BAKE = Duration.ofSeconds(60);

  public RolloutPlan {
    Objects.requireNonNull(candidate, "candidate");
    steps = steps == null ? Rollout.DEFAULT_STEPS : List.copyOf(steps);
    bake = bake == null ? DEFAULT_BAKE : bake;
    thresholds = thresholds == null ? Rollout.Thresholds.DEFAULTS : thresholds;
  }

  /** A plan with every default. */
  public static RolloutPlan of(String candidate) {
    return new RolloutPlan(candidate, null, null, null, null);
  }
}
