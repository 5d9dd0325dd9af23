package io.mlserve.server.rollout;

import io.mlserve.registry.ModelRegistry;
import io.mlserve.store.Deployment;
import java.util.Objects;
import java.util.Optional;

/**
 * Applies a {@link RolloutDecision} to a model's rollout through the registry, which checks
 * that the rollout is still in the state the decision was made for (under the store lock), writes
 * the record and emits the event: {@code ABORT} → {@link ModelRegistry#abortRollout} with the
 * failing check as the reason, {@code EXTEND} → {@link ModelRegistry#extendRolloutStep},
 * {@code ADVANCE} → {@link ModelRegistry#advanceRollout}, {@code WAIT} →
 * {@link ModelRegistry#awaitRolloutResume}, {@code FINISH} → {@link ModelRegistry#finishRollout};
 * {@code NONE} writes nothing. The caller (the one server holding the rollout lease) gathers
 * the windows, asks {@link RolloutController#next} and hands the decision here. Thread-safe.
 */
public final class RolloutSteps {
  private final ModelRegistry registry;
  private final String actor;

  /**
   * @param registry the registry that owns the model's deployment record
   * @param actor who the history and events name for the controller's changes
   */
  public RolloutSteps(ModelRegistry registry, String actor) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.actor = Objects.requireNonNull(actor, "actor");
  }

  /**
   * Applies {@code decision} to the rollout of {@code model}.
   *
   * @return the deployment record as written, or empty for {@code NONE}
   * @throws io.mlserve.registry.IllegalTransitionException if the rollout changed meanwhile
   *     (e.g. an operator paused or aborted it); the caller decides again from the record
   */
  public Optional<Deployment> apply(String model, RolloutDecision decision) {
    Objects.requireNonNull(model, "model");
    String why = decision.analysis();
    return Optional.ofNullable(switch (decision.action()) {
      case NONE -> null;
      case ABORT -> registry.abortRollout(model, why, actor);
      case EXTEND -> registry.extendRolloutStep(model, why, actor);
      case ADVANCE -> registry.advanceRollout(model, why, actor);
      case WAIT -> registry.awaitRolloutResume(model, why, actor);
      case FINISH -> registry.finishRollout(model, actor, why);
    });
  }
}
