package io.mlserve.registry;

import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Names;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Stage;
import io.mlserve.store.TrafficSplit;
import io.mlserve.store.VersionStages;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * Traffic split changes, for {@link ModelRegistry}: set and clear a model's split in its
 * deployment record. Like every registry change, each runs under the store lock, first finishes
 * what a killed writer left ({@link Recovery}), then appends its history line and its
 * {@code ml.model.traffic_changed.v1} event, and makes the rename of {@code deployment.json} its
 * commit point last, so a failure before it leaves no trace. Events are delivered after
 * unlocking.
 *
 * <p>Rules: the model exists; every version in the split exists and is not Archived (any other
 * stage is allowed: a Staging version displaced by another goes back to Development, and a
 * split is an explicit operator decision; the server loads, warms and health-checks each version
 * before the split takes effect). The Production version need not be in the split. Thread-safe.
 */
final class TrafficChanges {
  private final ModelStore store;
  private final EventLog events;
  private final Clock clock;
  private final Recovery recovery;
  private final DeploymentStore deployments;

  TrafficChanges(ModelStore store, EventLog events, Clock clock, Recovery recovery,
      DeploymentStore deployments) {
    this.store = store;
    this.events = events;
    this.clock = clock;
    this.recovery = recovery;
    this.deployments = deployments;
  }

  Deployment set(String model, Map<String, Double> weights, String actor, String reason) {
    Objects.requireNonNull(weights, "weights");
    RegisterChecks.actor(actor);
    Deployment d = store.lock().call(() -> {
      recovery.recover(model);
      Deployment current = current(model);
      refuseDuringRollout(current);
      TrafficSplit next;
      try {
        next = TrafficSplit.reslice(current.split(), weights);
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException("traffic split of " + Names.printable(model) + ": "
            + e.getMessage(), e);
      }
      for (String v : next.versions()) {
        if (!store.hasVersion(model, v)) {
          throw NotFoundException.version(model, v);
        }
        if (VersionStages.stageOf(store, model, v) == Stage.ARCHIVED) {
          throw new IllegalTransitionException(model + ":" + v + " is Archived; restore it"
              + " before giving it traffic");
        }
      }
      return commit(current, next, actor, reason);
    });
    events.deliverPending();
    return d;
  }

  Deployment clear(String model, String actor, String reason) {
    RegisterChecks.actor(actor);
    Deployment d = store.lock().call(() -> {
      recovery.recover(model);
      Deployment current = current(model);
      refuseDuringRollout(current);
      return current.split() == null ? current : commit(current, null, actor, reason);
    });
    events.deliverPending();
    return d;
  }

  /** A rollout in progress owns the split: only the rollout changes it. */
  private static void refuseDuringRollout(Deployment current) {
    if (current.hasActiveRollout()) {
      throw new IllegalTransitionException("a rollout of " + current.model() + ":"
          + current.rollout().candidate() + " owns the split ("
          + RolloutChanges.describe(current.rollout()) + "); abort or finish it first");
    }
  }

  private Deployment current(String model) {
    if (!store.hasModel(model)) {
      throw NotFoundException.model(model);
    }
    return deployments.read(model).orElse(Deployment.none(model));
  }

  /** Under the lock: history, event, then the record's rename (the commit point). */
  private Deployment commit(Deployment current, TrafficSplit next, String actor, String reason)
      throws IOException {
    String model = current.model();
    TrafficSplit previous = current.split();
    long now = clock.millis();
    store.appendHistory(HistoryEntry.traffic(now, model,
        previous == null ? null : previous.spec(), next == null ? null : next.spec(), actor,
        reason), events.nextSeq());
    Event e = events.appendQueued(Event.trafficChanged(model,
        next == null ? null : next.weights(), previous == null ? null : previous.weights(),
        actor, reason, now));
    Deployment d = current.withSplit(next, e.seq(), actor, reason, now);
    deployments.write(d); // the commit point
    return d;
  }

  /**
   * For {@link Recovery}: the record after the traffic change {@code e} if it is not applied yet
   * (the record's seq is older), else null. The buckets are resliced from the record as it is,
   * which is the record the killed writer resliced from, so they come out the same.
   */
  static Deployment unapplied(Deployment current, Event e) {
    if (current.seq() >= e.seq()) {
      return null;
    }
    Map<String, Double> w = e.weightsField("split");
    return current.withSplit(w == null ? null : TrafficSplit.reslice(current.split(), w),
        e.seq(), text(e, "actor"), text(e, "reason"), e.timestamp());
  }

  /** A text field of an event, or null when absent or null. */
  static String text(Event e, String field) {
    var n = e.field(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  /**
   * Refuses to archive a version that takes traffic. Call holding the lock.
   *
   * @throws IllegalTransitionException naming the version's share
   */
  static void checkArchivable(DeploymentStore deployments, String model, String version) {
    TrafficSplit split = deployments.read(model).map(Deployment::split).orElse(null);
    if (split != null && split.weight(version) > 0) {
      throw new IllegalTransitionException("version " + version + " takes "
          + TrafficSplit.format(split.weight(version)) + "% of " + model
          + "'s traffic; change or clear the split first");
    }
  }
}
