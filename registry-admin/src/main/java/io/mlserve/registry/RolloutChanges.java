package io.mlserve.registry;

import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Names;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Rollout;
import io.mlserve.store.Rollout.State;
import io.mlserve.store.RolloutJson;
import io.mlserve.store.Stage;
import io.mlserve.store.TrafficSplit;
import io.mlserve.store.VersionStages;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * Canary rollout changes, for {@link ModelRegistry}: start, advance, extend, wait, pause,
 * resume, abort and finish a model's rollout, kept in the {@code rollout} section of its
 * deployment record ({@link Rollout}). Like every registry change, each runs under the store
 * lock, first finishes what a killed writer left ({@link Recovery}), then appends its history
 * line (a traffic line: the split before and after, and what the rollout did) and its event
 * ({@code ml.model.rollout_step.v1}, or {@code ml.model.rollout_aborted.v1} for an abort) and
 * makes the rename of {@code deployment.json} its commit point last, so a failure before it
 * leaves no trace. The event carries the whole section and split, so {@link Recovery} can write
 * the record a killed writer did not. Events are delivered after unlocking.
 *
 * <p>An abort is one record write (candidate weight 0, state ABORTED) and waits for nothing.
 * Finishing promotes the candidate through {@link ModelRegistry#promoteLocked} (its own commit
 * point, {@code ml.model.promoted.v1}, the previous Production version Deprecated), then clears
 * the split and marks the rollout SUCCEEDED (a second commit point): if the second fails, the
 * promotion stands, the rollout still shows its last state, and finishing again completes it
 * (a candidate already in Production is not promoted twice). Thread-safe.
 */
final class RolloutChanges {
  private final ModelRegistry registry;
  private final ModelStore store;
  private final EventLog events;
  private final Clock clock;
  private final DeploymentStore deployments;

  RolloutChanges(ModelRegistry registry, ModelStore store, EventLog events, Clock clock,
      DeploymentStore deployments) {
    this.registry = registry;
    this.store = store;
    this.events = events;
    this.clock = clock;
    this.deployments = deployments;
  }

  Deployment start(String model, RolloutPlan plan, String actor, String reason) {
    Objects.requireNonNull(plan, "plan");
    RegisterChecks.actor(actor);
    return locked(model, current -> {
      if (current.hasActiveRollout()) {
        Rollout r = current.rollout();
        throw new IllegalTransitionException("model " + Names.printable(model)
            + " already has a rollout of " + r.candidate() + " (" + describe(r)
            + "); abort it or let it finish first");
      }
      String candidate = plan.candidate();
      if (!store.hasVersion(model, candidate)) {
        throw NotFoundException.version(model, candidate);
      }
      if (VersionStages.stageOf(store, model, candidate) == Stage.ARCHIVED) {
        throw new IllegalTransitionException(model + ":" + candidate + " is Archived; restore"
            + " it before rolling it out");
      }
      // A rollout ends in Production: under a policy its candidate needs the approval first.
      registry.approvals().checkProduction(model, candidate);
      String stable = store.stageVersion(model, Stage.PRODUCTION).orElseThrow(() ->
          new IllegalTransitionException("model " + Names.printable(model) + " has no"
              + " Production version to roll out from; promote one first"));
      if (stable.equals(candidate)) {
        throw new IllegalTransitionException(model + ":" + candidate + " is already the"
            + " Production version; roll out another version");
      }
      long now = clock.millis();
      Rollout r;
      try {
        r = new Rollout(candidate, stable, plan.steps(), bakeMillis(plan), plan.thresholds(),
            plan.pauseAt(), 0, State.RUNNING, now, 0, null, null);
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException("rollout of " + Names.printable(model) + ":"
            + candidate + ": " + e.getMessage(), e);
      }
      return commit(current, resliced(current, r.splitWeights()), r, "started", actor, reason,
          now);
    });
  }

  Deployment advance(String model, String analysis, String actor) {
    RegisterChecks.actor(actor);
    return locked(model, current -> {
      Rollout r = running(current);
      if (r.atLastStep()) {
        throw new IllegalTransitionException("the rollout of " + model + ":" + r.candidate()
            + " is at its last step (100%); finish (promote) it instead");
      }
      long now = clock.millis();
      Rollout next = r.atStep(r.step() + 1, now, analysis);
      return commit(current, resliced(current, next.splitWeights()), next, "advanced", actor,
          analysis, now);
    });
  }

  Deployment extend(String model, String analysis, String actor) {
    RegisterChecks.actor(actor);
    return locked(model, current -> {
      Rollout next = running(current).extended(analysis);
      return commit(current, current.split(), next, "extended", actor, analysis, clock.millis());
    });
  }

  Deployment awaitResume(String model, String analysis, String actor) {
    RegisterChecks.actor(actor);
    return locked(model, current -> {
      Rollout r = running(current);
      if (r.pauseAt() == null || r.weight() != r.pauseAt()) {
        throw new IllegalTransitionException("the rollout of " + model + ":" + r.candidate()
            + " has no pause-at gate at " + TrafficSplit.format(r.weight()) + "%");
      }
      return commit(current, current.split(), r.inState(State.WAITING_FOR_RESUME, analysis),
          "waiting", actor, analysis, clock.millis());
    });
  }

  Deployment pause(String model, String actor, String reason) {
    RegisterChecks.actor(actor);
    return locked(model, current -> {
      Rollout r = running(current);
      return commit(current, current.split(), r.inState(State.PAUSED, r.lastAnalysis()),
          "paused", actor, reason, clock.millis());
    });
  }

  Deployment resume(String model, String actor, String reason) {
    RegisterChecks.actor(actor);
    return locked(model, current -> {
      Rollout r = active(current);
      long now = clock.millis();
      if (r.state() == State.PAUSED) { // the paused step bakes again from the start
        return commit(current, current.split(), r.restarted(now, r.lastAnalysis()), "resumed",
            actor, reason, now);
      }
      if (r.state() == State.WAITING_FOR_RESUME) { // the gate opens: the next step
        Rollout next = r.atStep(r.step() + 1, now, r.lastAnalysis());
        return commit(current, resliced(current, next.splitWeights()), next, "resumed", actor,
            reason, now);
      }
      throw new IllegalTransitionException("the rollout of " + model + ":" + r.candidate()
          + " is " + describe(r) + ", not paused or waiting for a resume");
    });
  }

  Deployment abort(String model, String reason, String actor) {
    RegisterChecks.actor(actor);
    String why = reason == null || reason.isBlank() ? "aborted by " + actor : reason;
    return locked(model, current -> abortLocked(current, why, actor, false));
  }

  /**
   * Under the lock: the record with the rollout ABORTED and the candidate's weight 0 (or, with
   * {@code clearSplit}, no split at all: traffic follows the stage pointers), in one write.
   */
  Deployment abortLocked(Deployment current, String reason, String actor, boolean clearSplit) {
    Rollout r = active(current);
    Rollout aborted = r.aborted(reason);
    TrafficSplit split = clearSplit ? null : resliced(current, r.weights(0));
    long now = clock.millis();
    String model = current.model();
    store.appendHistory(history(now, current, split, actor, "rollout of " + r.candidate()
        + " aborted at " + TrafficSplit.format(r.weight()) + "%: " + reason), events.nextSeq());
    Event e = events.appendQueued(Event.rolloutAborted(model, aborted, r.weight(),
        split == null ? null : split.weights(), actor, reason, now));
    Deployment d = current.withRollout(split, aborted, e.seq(), actor, reason, now);
    deployments.write(d); // the commit point
    return d;
  }

  Deployment finish(String model, String actor, String reason) {
    RegisterChecks.actor(actor);
    return locked(model, current -> {
      Rollout r = active(current);
      String why = reason == null || reason.isBlank()
          ? "rollout finished at " + TrafficSplit.format(r.weight()) + "%" : reason;
      if (!store.stageVersion(model, Stage.PRODUCTION).filter(r.candidate()::equals)
          .isPresent()) {
        registry.promoteLocked(model, r.candidate(), Stage.PRODUCTION, actor,
            "rollout of " + r.candidate() + ": " + why); // its own commit point
      }
      return commit(current, null, r.inState(State.SUCCEEDED, r.lastAnalysis()), "finished",
          actor, why, clock.millis());
    });
  }

  /** The rollout a running controller may act on, or a refusal naming its state. */
  private static Rollout running(Deployment current) {
    Rollout r = active(current);
    if (r.state() != State.RUNNING) {
      throw new IllegalTransitionException("the rollout of " + current.model() + ":"
          + r.candidate() + " is " + describe(r)
          + (r.state() == State.PAUSED ? "; resume it first" : "; resume opens the gate"));
    }
    return r;
  }

  private static Rollout active(Deployment current) {
    Rollout r = current.rollout();
    if (r == null) {
      throw new IllegalTransitionException("model " + Names.printable(current.model())
          + " has no rollout; start one first");
    }
    if (!r.state().isActive()) {
      throw new IllegalTransitionException("the rollout of " + current.model() + ":"
          + r.candidate() + " is over (" + r.state() + "); start a new one");
    }
    return r;
  }

  /** E.g. {@code RUNNING at 25% (step 2 of 4)}. */
  static String describe(Rollout r) {
    return r.state() + " at " + TrafficSplit.format(r.weight()) + "% (step " + (r.step() + 1)
        + " of " + r.steps().size() + ")";
  }

  private static long bakeMillis(RolloutPlan plan) {
    return plan.bake().isNegative() || plan.bake().getSeconds() > Rollout.MAX_BAKE_MILLIS
        ? -1 : plan.bake().toMillis();
  }

  private static TrafficSplit resliced(Deployment current, Map<String, Double> weights) {
    return TrafficSplit.reslice(current.split(), weights);
  }

  @FunctionalInterface
  private interface Change {
    Deployment apply(Deployment current) throws java.io.IOException;
  }

  private Deployment locked(String model, Change change) {
    return registry.locked(model, () -> {
      if (!store.hasModel(model)) {
        throw NotFoundException.model(model);
      }
      return change.apply(deployments.read(model).orElse(Deployment.none(model)));
    });
  }

  /** Under the lock: history, event, then the record's rename (the commit point). */
  private Deployment commit(Deployment current, TrafficSplit split, Rollout next, String action,
      String actor, String reason, long now) {
    String model = current.model();
    store.appendHistory(history(now, current, split, actor, "rollout of " + next.candidate()
        + " " + action + " (" + describe(next) + ")" + (reason == null ? "" : ": " + reason)),
        events.nextSeq());
    Event e = events.appendQueued(Event.rolloutStep(model, action, next,
        split == null ? null : split.weights(), actor, reason, now));
    Deployment d = current.withRollout(split, next, e.seq(), actor, reason, now);
    deployments.write(d); // the commit point
    return d;
  }

  private static HistoryEntry history(long now, Deployment current, TrafficSplit split,
      String actor, String what) {
    return HistoryEntry.traffic(now, current.model(),
        current.split() == null ? null : current.split().spec(),
        split == null ? null : split.spec(), actor, what);
  }

  /**
   * For {@link Recovery}: the record after the rollout change {@code e} if it is not applied
   * yet (the record's seq is older), else null. The split is resliced from the record as it is,
   * which is the record the killed writer resliced from, so the buckets come out the same.
   */
  static Deployment unapplied(Deployment current, Event e) {
    if (current.seq() >= e.seq()) {
      return null;
    }
    Map<String, Double> w = e.weightsField("split");
    Rollout r = RolloutJson.fromJson(e.field("rollout"));
    return current.withRollout(w == null ? null : TrafficSplit.reslice(current.split(), w), r,
        e.seq(), TrafficChanges.text(e, "actor"), TrafficChanges.text(e, "reason"),
        e.timestamp());
  }
}
