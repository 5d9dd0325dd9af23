package io.mlserve.registry;

import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Shadow;
import io.mlserve.store.Stage;
import io.mlserve.store.VersionStages;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;

/**
 * Shadow changes, for {@link ModelRegistry}: start and stop a model's shadow in its deployment
 * record. Like every registry change, each runs under the store lock, first finishes what a
 * killed writer left ({@link Recovery}), then appends its history line and its
 * {@code ml.model.shadow_changed.v1} event, and makes the rename of {@code deployment.json} its
 * commit point last. Events are delivered after unlocking.
 *
 * <p>Rules: the model exists; the shadow version exists, is not Archived, and is not the
 * Production version (it would compare production with itself). Starting a shadow while another
 * runs replaces it. Thread-safe.
 */
final class ShadowChanges {
  private final ModelStore store;
  private final EventLog events;
  private final Clock clock;
  private final Recovery recovery;
  private final DeploymentStore deployments;

  ShadowChanges(ModelStore store, EventLog events, Clock clock, Recovery recovery,
      DeploymentStore deployments) {
    this.store = store;
    this.events = events;
    this.clock = clock;
    this.recovery = recovery;
    this.deployments = deployments;
  }

  Deployment start(String model, String version, double sample, double atol, double rtol,
      String actor, String reason) {
    Objects.requireNonNull(version, "version");
    RegisterChecks.actor(actor);
    Deployment d = store.lock().call(() -> {
      recovery.recover(model);
      Deployment current = current(model);
      if (!store.hasVersion(model, version)) {
        throw NotFoundException.version(model, version);
      }
      Stage stage = VersionStages.stageOf(store, model, version);
      if (stage == Stage.ARCHIVED) {
        throw new IllegalTransitionException(model + ":" + version + " is Archived; restore it"
            + " before shadowing with it");
      }
      if (stage == Stage.PRODUCTION) {
        throw new IllegalTransitionException(model + ":" + version + " is the Production"
            + " version; a shadow is compared with Production, so it must be another version");
      }
      Shadow next;
      try {
        next = new Shadow(version, sample, atol, rtol, clock.millis());
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(e.getMessage(), e);
      }
      return commit(current, next, actor, reason);
    });
    events.deliverPending();
    return d;
  }

  Deployment stop(String model, String actor, String reason) {
    RegisterChecks.actor(actor);
    Deployment d = store.lock().call(() -> {
      recovery.recover(model);
      Deployment current = current(model);
      return current.shadow() == null ? current : commit(current, null, actor, reason);
    });
    events.deliverPending();
    return d;
  }

  private Deployment current(String model) {
    if (!store.hasModel(model)) {
      throw NotFoundException.model(model);
    }
    return deployments.read(model).orElse(Deployment.none(model));
  }

  /** Under the lock: history, event, then the record's rename (the commit point). */
  private Deployment commit(Deployment current, Shadow next, String actor, String reason)
      throws IOException {
    String model = current.model();
    Shadow previous = current.shadow();
    long now = next == null ? clock.millis() : next.startedAt();
    store.appendHistory(HistoryEntry.shadow(now, model,
        previous == null ? null : previous.describe(), next == null ? null : next.describe(),
        actor, reason), events.nextSeq());
    Event e = events.appendQueued(Event.shadowChanged(model, next,
        previous == null ? null : previous.version(), actor, reason, now));
    Deployment d = current.withShadow(next, e.seq(), actor, reason, now);
    deployments.write(d); // the commit point
    return d;
  }

  /**
   * For {@link Recovery}: the record after the shadow change {@code e} if it is not applied yet
   * (the record's seq is older), else null.
   */
  static Deployment unapplied(Deployment current, Event e) {
    if (current.seq() >= e.seq()) {
      return null;
    }
    var s = e.field("shadow");
    Shadow shadow = s == null || s.isNull() ? null : new Shadow(e.version(),
        s.get("sample").asDouble(), s.get("atol").asDouble(), s.get("rtol").asDouble(),
        e.timestamp());
    return current.withShadow(shadow, e.seq(), TrafficChanges.text(e, "actor"),
        TrafficChanges.text(e, "reason"), e.timestamp());
  }

  /**
   * Refuses to archive the version a shadow runs. Call holding the lock.
   *
   * @throws IllegalTransitionException naming the shadow
   */
  static void checkArchivable(DeploymentStore deployments, String model, String version) {
    Shadow shadow = deployments.read(model).map(Deployment::shadow).orElse(null);
    if (shadow != null && shadow.version().equals(version)) {
      throw new IllegalTransitionException("version " + version + " is " + model
          + "'s shadow; stop the shadow first");
    }
  }
}
