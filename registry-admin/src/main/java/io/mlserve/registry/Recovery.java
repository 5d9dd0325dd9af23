package io.mlserve.registry;

import io.mlserve.dataset.DatasetEvents;
import io.mlserve.dataset.DatasetFiles;
import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.Manifest;
import io.mlserve.store.ManifestCodec;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import io.mlserve.store.StoreException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes a registry change that a killed writer left half done. Every change writes its
 * history and its event (durably) before its commit point (the pointer move, the version's
 * rename), so the event log is the journal: a durable event is a committed change. A writer
 * killed before its event leaves at most history lines stamped with a seq the log never got,
 * which are cut; one killed between the event and the commit point leaves the model's last
 * {@code ml.model.*} event not applied; this rolls it forward (moves the pointer, renames the
 * assembled version into place, removes a deleted version, writes the deployment record of a
 * traffic or rollout change), and does the steps after a commit point (clearing a stage
 * pointer the moved version left) that a failure or a kill skipped. Idempotent. Runs at the start
 * of every registry section, under the store lock, and for every model when a registry opens.
 * Only the last event of a model can be unapplied, since every writer recovers it first.
 * Thread-safe (callers hold the store lock).
 */
final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  private final ModelStore store;
  private final EventLog events;
  private final DeploymentStore deployments;

  Recovery(ModelStore store, EventLog events, DeploymentStore deployments) {
    this.store = store;
    this.events = events;
    this.deployments = deployments;
  }

  /** Recovers every model (on open). */
  void recoverAll() {
    store.lock().call(() -> {
      for (String model : store.modelNames()) {
        recover(model);
      }
      return null;
    });
  }

  /** Applies the model's last event if it is not applied. Call holding the store lock. */
  void recover(String model) {
    if (!store.hasModel(model)) {
      return;
    }
    Optional<Event> last = events.lastModelEvent(model);
    store.dropHistoryAfter(model, events.lastSeq()); // killed before its event: never happened
    if (last.isPresent() && ApprovalRecovery.finish(store, last.get())) {
      return; // a policy or approval change
    }
    if (last.isPresent() && isDeploymentChange(last.get().eventType())) {
      Deployment current = deployments.read(model).orElse(Deployment.none(model));
      String type = last.get().eventType();
      Deployment unapplied = type.equals(Event.TRAFFIC_CHANGED)
          ? TrafficChanges.unapplied(current, last.get())
          : type.equals(Event.SHADOW_CHANGED) ? ShadowChanges.unapplied(current, last.get())
          : RolloutChanges.unapplied(current, last.get());
      if (unapplied != null) {
        log.warn("{}: finishing the deployment change that seq {} recorded (interrupted"
            + " writer)", model, last.get().seq());
        deployments.write(unapplied);
      }
      return;
    }
    if (last.isPresent() && last.get().eventType().equals(DatasetEvents.ADDED)) {
      DatasetFiles.finishAdd(store, last.get()); // the dataset's directory into place
      return;
    }
    if (last.isEmpty() || last.get().version() == null) {
      return;
    }
    Event e = last.get();
    String v = e.version();
    switch (e.eventType()) {
      case Event.PROMOTED, Event.ROLLED_BACK -> {
        Stage stage = Stage.parse(e.stage());
        if (store.hasVersion(model, v) && !holds(model, stage, v)) {
          log.warn("{}:{}: finishing the move to {} that seq {} recorded (interrupted writer)",
              model, v, stage.displayName(), e.seq());
          store.setStagePointer(model, stage, v);
        }
        if (stage == Stage.PRODUCTION && holds(model, Stage.STAGING, v)) {
          store.clearStagePointer(model, Stage.STAGING);
        }
      }
      case Event.DEPRECATED, Event.ARCHIVED -> {
        for (Stage s : new Stage[] {Stage.PRODUCTION, Stage.STAGING}) {
          if (holds(model, s, v)) {
            log.warn("{}:{}: finishing the move out of {} that seq {} recorded", model, v,
                s.displayName(), e.seq());
            store.clearStagePointer(model, s);
          }
        }
      }
      case Event.DELETED -> {
        if (store.hasVersion(model, v)) {
          log.warn("{}:{}: finishing the removal that seq {} recorded", model, v, e.seq());
          store.removeVersion(model, v);
        }
      }
      case Event.REGISTERED -> {
        if (!store.hasVersion(model, v)) {
          installAssembled(model, v, e.seq());
        }
      }
      default -> {
        // restored, reload_failed: the event is the whole change
      }
    }
  }

  /** Whether events of {@code type} change the deployment record (and nothing else). */
  private static boolean isDeploymentChange(String type) {
    return type.equals(Event.TRAFFIC_CHANGED) || type.equals(Event.ROLLOUT_STEP)
        || type.equals(Event.ROLLOUT_ABORTED) || type.equals(Event.SHADOW_CHANGED);
  }

  private boolean holds(String model, Stage stage, String version) {
    return store.stageVersion(model, stage).filter(version::equals).isPresent();
  }

  /** A registration killed after its event: its assembled temp directory becomes the version. */
  private void installAssembled(String model, String version, long seq) {
    for (Path tmp : store.tempVersionDirs(model)) {
      Manifest m;
      try {
        m = ManifestCodec.read(tmp.resolve(VersionAssembler.MANIFEST));
      } catch (StoreException notAVersion) {
        continue;
      }
      if (m.version().equals(version)) {
        log.warn("{}:{}: finishing the registration that seq {} recorded", model, version, seq);
        store.installVersion(model, version, tmp);
        return;
      }
    }
    log.warn("{}:{}: seq {} records a registration whose files are gone; the version does not"
        + " exist", model, version, seq);
  }

  /**
   * Runs a step after a commit point: it cannot be undone, so a failure is logged and left to
   * the recovery the next writer runs; the change itself stands.
   */
  static void afterCommit(Runnable step) {
    try {
      step.run();
    } catch (io.mlserve.store.StoreException e) {
      log.warn("a step after the commit point failed; the next writer finishes it: {}",
          e.getMessage());
    }
  }
}
