package io.mlserve.registry;

import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.IoErrors;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Names;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Stage;
import io.mlserve.store.StoreException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stage changes other than promotion, for {@link ModelRegistry}: deprecate, archive,
 * restore, rollback, a failed reload, and cleanup. Each runs under the store lock, first
 * finishes what a killed writer left ({@link Recovery}), then writes history and event and makes
 * its commit point (pointer move, version removal) last, so a failure before it leaves no trace;
 * it delivers its events after unlocking. Thread-safe.
 */
final class Lifecycle {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Lifecycle.class);

  /** Temp directories younger than this may belong to a registration in progress. */
  static final Duration STALE_TEMP_AGE = Duration.ofHours(1);

  private final ModelRegistry registry;
  private final ModelStore store;
  private final EventLog events;
  private final Clock clock;
  private final Recovery recovery;
  private final DeploymentStore deployments;
  private final RolloutChanges rollouts;

  Lifecycle(ModelRegistry registry, ModelStore store, EventLog events, Clock clock,
      Recovery recovery, DeploymentStore deployments, RolloutChanges rollouts) {
    this.rollouts = rollouts;
    this.registry = registry;
    this.store = store;
    this.events = events;
    this.clock = clock;
    this.recovery = recovery;
    this.deployments = deployments;
  }

  /** A version into {@code to} (Deprecated, Archived, or Deprecated again by restore). */
  Transition move(String model, String version, Stage to, String eventType, String actor,
      String reason) {
    RegisterChecks.actor(actor);
    String label = Names.printable(model) + ":" + Names.printable(version);
    Transition t = store.lock().call(() -> {
      recovery.recover(model);
      Stage from = registry.stageOf(model, version);
      StageTransitions.check(label, from, to);
      if (to == Stage.ARCHIVED) {
        TrafficChanges.checkArchivable(deployments, model, version);
        ShadowChanges.checkArchivable(deployments, model, version);
      }
      long now = clock.millis();
      String runId = store.manifest(model, version).runId();
      store.appendHistory(HistoryEntry.of(now, model, version, from, to, actor, reason),
          events.nextSeq());
      events.appendQueued(Event.of(eventType, model, version, to, runId, now, null,
          Map.of("from_stage", from.displayName())));
      if (from.hasPointer()) {
        store.clearStagePointer(model, from); // the commit point
      }
      return new Transition(model, version, from, to, null);
    });
    events.deliverPending();
    return t;
  }

  Transition rollback(String model, String actor, String reason) {
    RegisterChecks.actor(actor);
    Transition t = store.lock().call(() -> {
      recovery.recover(model);
      String current = store.stageVersion(model, Stage.PRODUCTION).orElseThrow(() ->
          new IllegalTransitionException("model " + Names.printable(model)
              + " has no Production version to roll back"));
      String target = ProductionHistory.rollbackTarget(store.history(model), current,
          v -> store.hasVersion(model, v) && registry.stageOf(model, v) != Stage.ARCHIVED)
          .orElseThrow(() -> new IllegalTransitionException("model "
              + Names.printable(model) + ": no earlier Production version to roll back to from " + current));
      Deployment d = deployments.read(model).orElse(Deployment.none(model));
      if (d.hasActiveRollout()) { // its own commit point; the split goes, Production decides
        rollouts.abortLocked(d, "rollback of Production from " + current + " to " + target,
            actor, true);
      }
      return switchProduction(model, current, target, actor,
          reason == null || reason.isBlank() ? "rolled back" : reason, null);
    });
    events.deliverPending();
    return t;
  }

  /**
   * The server could not load {@code failed}: records a reload_failed event and, when
   * Production still holds {@code failed} and {@code rollbackTo} is given, moves Production
   * back to it (failed becomes Deprecated) with a rolled_back event.
   */
  Optional<Transition> reloadFailed(String model, String failed, String rollbackTo,
      String reason, String actor) {
    RegisterChecks.actor(actor);
    String why = reason == null || reason.isBlank() ? "unknown" : reason;
    Optional<Transition> t = store.lock().call(() -> {
      recovery.recover(model);
      store.versionDir(model, failed);
      long now = clock.millis();
      events.appendQueued(Event.of(Event.RELOAD_FAILED, model, failed, null,
          store.manifest(model, failed).runId(), now, null, Map.of("reason", why)));
      boolean stillProduction = store.stageVersion(model, Stage.PRODUCTION)
          .filter(failed::equals).isPresent();
      if (rollbackTo == null || !stillProduction || rollbackTo.equals(failed)) {
        return Optional.<Transition>empty();
      }
      return Optional.of(switchProduction(model, failed, rollbackTo, actor,
          "reload failed: " + why, why));
    });
    events.deliverPending();
    return t;
  }

  /** Under the lock: Production from {@code current} to {@code target}; history; event. */
  private Transition switchProduction(String model, String current, String target, String actor,
      String reason, String failure) throws IOException {
    Stage targetFrom = registry.stageOf(model, target);
    if (targetFrom == Stage.ARCHIVED) {
      throw new IllegalTransitionException(model + ":" + target + " is Archived; restore it first");
    }
    long now = clock.millis();
    String runId = store.manifest(model, target).runId();
    store.appendHistory(HistoryEntry.of(now, model, target, targetFrom, Stage.PRODUCTION, actor,
        ProductionHistory.ROLLBACK_REASON + current + ": " + reason), events.nextSeq());
    store.appendHistory(HistoryEntry.of(now, model, current, Stage.PRODUCTION, Stage.DEPRECATED,
        actor, "rolled back to " + target), events.nextSeq());
    events.appendQueued(Event.of(Event.ROLLED_BACK, model, target, Stage.PRODUCTION, runId, now,
        current, Map.of("reason", failure == null ? reason : failure)));
    store.setStagePointer(model, Stage.PRODUCTION, target); // the commit point
    if (targetFrom == Stage.STAGING) {
      Recovery.afterCommit(() -> store.clearStagePointer(model, Stage.STAGING));
    }
    return new Transition(model, target, targetFrom, Stage.PRODUCTION, current);
  }

  CleanupResult cleanup(String modelOrNull, boolean dryRun, String actor) {
    RegisterChecks.actor(actor);
    CleanupResult r = store.lock().call(() -> {
      List<String> models = modelOrNull == null ? store.modelNames() : List.of(modelOrNull);
      if (modelOrNull != null && !store.hasModel(modelOrNull)) {
        throw NotFoundException.model(modelOrNull);
      }
      List<String> removed = new ArrayList<>();
      long bytes = 0;
      long now = clock.millis();
      for (String model : models) {
        recovery.recover(model);
        List<String> inSplit = versionsInSplit(model);
        for (String v : store.versions(model)) {
          if (registry.stageOf(model, v) != Stage.ARCHIVED || isPointedAt(model, v)
              || inSplit == null || inSplit.contains(v)) {
            continue;
          }
          Path dir;
          try {
            dir = store.versionDir(model, v);
          } catch (StoreException linksOutOfTheStore) { // never followed; `check` reports it
            log.warn("cleanup skips {}:{}: {}", model, v, linksOutOfTheStore.getMessage());
            continue;
          }
          bytes += size(dir);
          removed.add(model + ":" + v);
          if (!dryRun) {
            String runId = store.manifest(model, v).runId();
            store.appendHistory(new HistoryEntry(now, model, v, Stage.ARCHIVED.displayName(),
                "Deleted", actor, "cleanup"), events.nextSeq());
            events.appendQueued(Event.of(Event.DELETED, model, v, null, runId, now, null,
                Map.of()));
            store.removeVersion(model, v); // the commit point of this version's removal
          }
        }
        for (Path tmp : store.tempVersionDirs(model)) {
          long age = now - Files.getLastModifiedTime(tmp, LinkOption.NOFOLLOW_LINKS).toMillis();
          if (age < STALE_TEMP_AGE.toMillis()) {
            continue;
          }
          bytes += size(tmp);
          removed.add(model + ":" + tmp.getFileName());
          if (!dryRun) {
            store.deleteTempVersionDir(model, tmp);
          }
        }
      }
      return new CleanupResult(removed, bytes, dryRun);
    });
    events.deliverPending();
    return r;
  }

  /** The versions the model's split names; null if its record cannot be read (keep all). */
  private List<String> versionsInSplit(String model) {
    try {
      return deployments.read(model).map(Deployment::split).map(s -> s.versions())
          .orElse(List.of());
    } catch (StoreException unreadable) { // `check` reports it
      log.warn("cleanup keeps every version of {}: {}", model, unreadable.getMessage());
      return null;
    }
  }

  private boolean isPointedAt(String model, String version) {
    return store.stageVersion(model, Stage.PRODUCTION).filter(version::equals).isPresent()
        || store.stageVersion(model, Stage.STAGING).filter(version::equals).isPresent();
  }

  private static long size(Path dir) {
    AtomicLong total = new AtomicLong();
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          total.addAndGet(attrs.size());
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new StoreException("cannot size " + dir.getFileName() + ": " + IoErrors.reason(e), e);
    }
    return total.get();
  }
}
