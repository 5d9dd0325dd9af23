package io.mlserve.registry;

import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Names;
import io.mlserve.store.SemVer;
import io.mlserve.store.Stage;
import io.mlserve.store.StoreException;
import io.mlserve.store.StoreLock;
import io.mlserve.store.TrafficSplit;
import io.mlserve.store.VersionStages;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The write side of the registry: registers versions and moves them between stages under the
 * lifecycle rules, recording each change in the model's history and the event log.
 *
 * <p>Every mutation runs under the store lock (threads and processes), so at most one version
 * is in Staging and one in Production. Every mutation is all-or-nothing, also on a full disk: it
 * appends its history lines and its event (durably) first and makes its commit point (the stage
 * pointer's rename, the version directory's rename) last; a failure before the commit point
 * takes the appended lines back (see {@link io.mlserve.store.StoreLock#onFailure}), and a writer
 * killed after the event is finished by the next one ({@link Recovery}). Events are appended
 * inside the lock (so seq order is the order of changes) and delivered to subscribers after it
 * is released. A register's copy and validation run outside the lock, in a private temp
 * directory; the version number of a bump is resolved, and the directory renamed into place,
 * under the lock. This class is thread-safe.
 */
public final class ModelRegistry {
  private final ModelStore store;
  private final EventLog events;
  private final Clock clock;
  private final Lifecycle lifecycle;
  private final Recovery recovery;
  private final DeploymentStore deployments;
  private final TrafficChanges traffic;
  private final RolloutChanges rollouts;
  private final ShadowChanges shadows;
  private final ApprovalChanges approvals;
  private final VersionInstaller installer;

  /** Also finishes any change a killed writer left half done (see {@link Recovery}). */
  public ModelRegistry(ModelStore store, EventLog events, ArtifactValidator validator,
      Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.events = Objects.requireNonNull(events, "events");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.deployments = new DeploymentStore(store);
    this.recovery = new Recovery(store, events, deployments);
    this.rollouts = new RolloutChanges(this, store, events, clock, deployments);
    this.lifecycle = new Lifecycle(this, store, events, clock, recovery, deployments, rollouts);
    this.traffic = new TrafficChanges(store, events, clock, recovery, deployments);
    this.shadows = new ShadowChanges(store, events, clock, recovery, deployments);
    this.approvals = new ApprovalChanges(this, store, events, clock, deployments);
    this.installer = new VersionInstaller(store, events,
        Objects.requireNonNull(validator, "validator"), clock, recovery,
        this::nextVersion);
    recovery.recoverAll();
  }

  /** The store this registry writes. */
  public ModelStore store() {
    return store;
  }

  /** Policies and approvals: what gates this registry's promotions to Production. */
  public ApprovalChanges approvals() {
    return approvals;
  }

  /** The event log this registry appends to. */
  public EventLog events() {
    return events;
  }

  /**
   * Runs {@code change} holding the store lock, after finishing any change of {@code model} that
   * a killed writer left half done ({@link Recovery}), and delivers the events it queued once the
   * lock is released: for every writer of a model's records (rollouts, approvals, datasets),
   * which keep the same rules (event durable before the commit point, undo registered with the
   * lock).
   */
  public <T> T locked(String model, StoreLock.Action<T> change) {
    Objects.requireNonNull(change, "change");
    T result = store.lock().call(() -> {
      recovery.recover(model);
      return change.run();
    });
    events.deliverPending();
    return result;
  }

  /**
   * The version after the model's highest one (by semver precedence): {@code bump} is
   * {@code patch}, {@code minor} or {@code major}; a model with no versions counts from 0.0.0.
   *
   * @throws InvalidRequestException for another bump kind or a bad model name
   */
  public String nextVersion(String model, String bump) {
    RegisterChecks.modelName(model);
    SemVer highest = store.hasModel(model)
        ? store.versions(model).stream().map(SemVer::parse)
            .max(SemVer::comparePrecedence).orElse(SemVer.parse("0.0.0"))
        : SemVer.parse("0.0.0");
    try {
      return highest.bump(bump).toString();
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(e.getMessage(), e);
    }
  }

  /**
   * Registers a new version in Development: validates the request, copies the artifact (and
   * examples) into a temp directory, writes the manifest with the artifact's SHA-256, runs the
   * validator and the request's {@link InstallStep} (the drift reference), then renames the
   * directory into place. On any failure nothing is left behind.
   *
   * @return the manifest as written
   * @throws InvalidRequestException for a bad name, version, format, signature, artifact or
   *     examples file, a version that exists (or has the same semver precedence as one that
   *     does), or a validator failure (its message is the reason)
   * @throws StoreException for I/O failures
   */
  public Manifest register(RegisterRequest req) {
    return installer.register(req);
  }

  /**
   * Moves a version into Staging or Production by atomically re-pointing the stage's symlink.
   * Into Production: the previous Production version (if any) is recorded as Deprecated, and
   * the staging pointer is removed if it held this version. Into Staging: a version displaced
   * from Staging is recorded as back in Development. One {@code ml.model.promoted.v1} event is
   * appended, with {@code previous_version} the version that held the stage before (or null).
   *
   * @param reason why, for the history (may be null)
   * @throws io.mlserve.store.NotFoundException if the model or version does not exist
   * @throws InvalidRequestException for another target stage or an illegal transition
   * @throws ApprovalRequiredException into Production, when the model has a policy and the
   *     version's approval is not APPROVED (see {@link ApprovalChanges})
   */
  public Transition promote(String model, String version, Stage stage, String actor,
      String reason) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(actor, "actor");
    String label = Names.printable(model) + ":" + Names.printable(version);
    if (!stage.hasPointer()) {
      StageTransitions.checkPromotion(label, Stage.DEVELOPMENT, stage);
    }
    RegisterChecks.actor(actor);
    Transition t = store.lock().call(() -> {
      recovery.recover(model);
      if (stage == Stage.PRODUCTION && store.hasVersion(model, version)) {
        approvals.checkProduction(model, version);
      }
      return promoteLocked(model, version, stage, actor, reason);
    });
    events.deliverPending();
    return t;
  }

  /** The body of {@link #promote}, for callers that hold the store lock and have recovered. */
  Transition promoteLocked(String model, String version, Stage stage, String actor,
      String reason) {
    String label = Names.printable(model) + ":" + Names.printable(version);
    Manifest manifest = store.manifest(model, version);
    Stage from = stageOf(model, version);
    StageTransitions.checkPromotion(label, from, stage);
    long now = clock.millis();
    Optional<String> previous = store.stageVersion(model, stage);
    long seq = events.nextSeq();
    store.appendHistory(HistoryEntry.of(now, model, version, from, stage, actor, reason), seq);
    previous.ifPresent(p -> store.appendHistory(StageTransitions.displaced(now, model, p, stage, version, actor),
        seq));
    events.appendQueued(Event.promoted(model, version, stage, manifest.runId(), now,
        previous.orElse(null)));
    store.setStagePointer(model, stage, version); // the commit point
    if (stage == Stage.PRODUCTION && from == Stage.STAGING) {
      Recovery.afterCommit(() -> store.clearStagePointer(model, Stage.STAGING));
    }
    return new Transition(model, version, from, stage, previous.orElse(null));
  }

  /**
   * Moves a version to Deprecated (from Development, Staging or Production; a stage pointer that
   * held it is removed, so deprecating the Production version leaves the model without one).
   * Appends {@code ml.model.deprecated.v1}.
   *
   * @throws InvalidRequestException for an illegal transition, naming the allowed ones
   */
  public Transition deprecate(String model, String version, String actor, String reason) {
    return lifecycle.move(req(model, "model"), req(version, "version"), Stage.DEPRECATED,
        Event.DEPRECATED, req(actor, "actor"), reason);
  }

  /**
   * Moves a version to Archived (from Development or Deprecated): it is no longer loadable and
   * {@link #cleanup} may remove it. Appends {@code ml.model.archived.v1}. Refused for a version
   * that has a weight above 0 in the model's traffic split.
   */
  public Transition archive(String model, String version, String actor, String reason) {
    return lifecycle.move(req(model, "model"), req(version, "version"), Stage.ARCHIVED,
        Event.ARCHIVED, req(actor, "actor"), reason);
  }

  /** Brings an Archived version back to Deprecated (loadable, promotable). */
  public Transition restore(String model, String version, String actor, String reason) {
    return lifecycle.move(req(model, "model"), req(version, "version"), Stage.DEPRECATED,
        Event.RESTORED, req(actor, "actor"), reason);
  }

  /**
   * Returns Production to the version that held it before the current one, read from history
   * (repeatable: each call walks one further back, skipping archived or removed versions). The
   * current version becomes Deprecated. Appends one {@code ml.model.rolled_back.v1} event
   * (version: the new Production one; previous_version: the one rolled back) and no promoted
   * event. A rollout in progress is aborted first ({@code ml.model.rollout_aborted.v1}) and its
   * split cleared, so unversioned traffic follows Production back.
   *
   * @throws InvalidRequestException if there is no Production version or nothing to go back to
   */
  public Transition rollback(String model, String actor, String reason) {
    return lifecycle.rollback(req(model, "model"), req(actor, "actor"), reason);
  }

  /**
   * For the server: loading {@code failedVersion} failed. Appends
   * {@code ml.model.reload_failed.v1} (attribute {@code reason}); if Production still holds
   * {@code failedVersion} and {@code rollbackTo} is not null, Production moves back to
   * {@code rollbackTo} (history and a rolled_back event, as {@link #rollback}).
   *
   * @return the rollback, if one happened
   */
  public Optional<Transition> recordReloadFailure(String model, String failedVersion,
      String rollbackTo, String reason, String actor) {
    return lifecycle.reloadFailed(req(model, "model"), req(failedVersion, "failedVersion"),
        rollbackTo, reason, req(actor, "actor"));
  }

  /**
   * Removes archived versions that no stage pointer holds and no traffic split names (history records them as
   * {@code Deleted}, with a {@code ml.model.deleted.v1} event each) and temp directories that
   * crashed writers left over an hour ago. With {@code dryRun} only lists them.
   *
   * @param modelOrNull one model, or null for all
   */
  public CleanupResult cleanup(String modelOrNull, boolean dryRun, String actor) {
    return lifecycle.cleanup(modelOrNull, dryRun, req(actor, "actor"));
  }

  /**
   * Sets how the model's unversioned traffic is split over its versions (version → weight in
   * percent, in order; see {@link TrafficSplit} for the rules). Buckets are resliced from the
   * current split so the fewest routing keys move. Every version must exist and not be
   * Archived (any other stage is allowed); the Production version need not be named. Appends a
   * history line and {@code ml.model.traffic_changed.v1}; the rename of {@code deployment.json}
   * is the commit point.
   *
   * @return the deployment record as written
   * @throws io.mlserve.store.NotFoundException if the model or a version does not exist
   * @throws InvalidRequestException for weights that break a rule, or an Archived version
   */
  public Deployment setTraffic(String model, Map<String, Double> weights, String actor,
      String reason) {
    return traffic.set(req(model, "model"), weights, req(actor, "actor"), reason);
  }

  /** As {@link #setTraffic(String, Map, String, String)} with {@code split}'s weights. */
  public Deployment setTraffic(String model, TrafficSplit split, String actor, String reason) {
    return setTraffic(model, Objects.requireNonNull(split, "split").weights(), actor, reason);
  }

  /**
   * Removes the model's split: unversioned traffic follows the stage pointers again. Appends a
   * history line and {@code ml.model.traffic_changed.v1} (split null). With no split it changes
   * nothing and appends nothing.
   *
   * @return the deployment record as it now is
   * @throws io.mlserve.store.NotFoundException if the model does not exist
   */
  public Deployment clearTraffic(String model, String actor, String reason) {
    return traffic.clear(req(model, "model"), req(actor, "actor"), reason);
  }

  /**
   * Starts a canary rollout of {@code plan.candidate()} from the Production version (the
   * stable one): the split becomes stable {@code 100 - w0}, candidate {@code w0} (resliced from
   * the current split, so the fewest routing keys move) and the record's {@code rollout}
   * section RUNNING at step 0. Appends a history line and {@code ml.model.rollout_step.v1}
   * (action {@code started}).
   *
   * @return the deployment record as written
   * @throws io.mlserve.store.NotFoundException if the model or the candidate does not exist
   * @throws InvalidRequestException if the plan breaks a rule (steps strictly increasing in
   *     (0, 100] ending at 100, bake 1 s to 24 h, thresholds in range, pause-at a step before
   *     the last), the candidate is Archived or already Production, the model has no Production
   *     version, or a rollout is already in progress
   */
  public Deployment startRollout(String model, RolloutPlan plan, String actor, String reason) {
    return rollouts.start(req(model, "model"), plan, req(actor, "actor"), reason);
  }

  /**
   * For the rollout controller: the current step passed ({@code analysis} says how); the next
   * step's split is set and its bake starts now. Appends {@code ml.model.rollout_step.v1}
   * (action {@code advanced}).
   *
   * @throws InvalidRequestException if no rollout is RUNNING or it is at its last step
   */
  public Deployment advanceRollout(String model, String analysis, String actor) {
    return rollouts.advance(req(model, "model"), analysis, req(actor, "actor"));
  }

  /**
   * For the rollout controller: the current step had too few requests to be judged; its bake is
   * extended by one more bake time ({@code extensions} + 1, {@code analysis} says why). Appends
   * {@code ml.model.rollout_step.v1} (action {@code extended}).
   */
  public Deployment extendRolloutStep(String model, String analysis, String actor) {
    return rollouts.extend(req(model, "model"), analysis, req(actor, "actor"));
  }

  /**
   * For the rollout controller: the pause-at step passed; the rollout waits for
   * {@link #resumeRollout} (state WAITING_FOR_RESUME, split unchanged). Appends
   * {@code ml.model.rollout_step.v1} (action {@code waiting}).
   */
  public Deployment awaitRolloutResume(String model, String analysis, String actor) {
    return rollouts.awaitResume(req(model, "model"), analysis, req(actor, "actor"));
  }

  /**
   * Pauses a RUNNING rollout: the split stays, no step is judged until {@link #resumeRollout}.
   * Appends {@code ml.model.rollout_step.v1} (action {@code paused}).
   */
  public Deployment pauseRollout(String model, String actor, String reason) {
    return rollouts.pause(req(model, "model"), req(actor, "actor"), reason);
  }

  /**
   * Resumes a rollout: a PAUSED one runs again and its step bakes again from now; one
   * WAITING_FOR_RESUME at its pause-at gate moves to the next step. Appends
   * {@code ml.model.rollout_step.v1} (action {@code resumed}).
   */
  public Deployment resumeRollout(String model, String actor, String reason) {
    return rollouts.resume(req(model, "model"), req(actor, "actor"), reason);
  }

  /**
   * Aborts a rollout in progress in one write: the candidate's weight becomes 0 (stable 100),
   * state ABORTED with {@code reason} (null: "aborted by ACTOR"). Waits for nothing. Appends
   * {@code ml.model.rollout_aborted.v1}.
   */
  public Deployment abortRollout(String model, String reason, String actor) {
    return rollouts.abort(req(model, "model"), reason, req(actor, "actor"));
  }

  /**
   * Finishes a rollout in progress (the controller after the last step, or an operator skipping
   * to the end): the candidate is promoted to Production as {@link #promote} does
   * ({@code ml.model.promoted.v1}, the previous Production version Deprecated), then the split
   * is cleared and the rollout marked SUCCEEDED ({@code ml.model.rollout_step.v1}, action
   * {@code finished}).
   */
  public Deployment finishRollout(String model, String actor, String reason) {
    return rollouts.finish(req(model, "model"), req(actor, "actor"), reason);
  }

  /**
   * The model's deployment record (its traffic split and the change that set it); empty if it
   * never had one. Reads without the lock.
   *
   * @throws io.mlserve.store.NotFoundException if the model does not exist
   */
  public Optional<Deployment> deployment(String model) {
    return deployments.read(req(model, "model"));
  }

  private static String req(String s, String name) {
    return Objects.requireNonNull(s, name);
  }

  /**
   * The current stage of a version: Production or Staging if a pointer holds it, else the last
   * stage its history records, else Development.
   *
   * @throws io.mlserve.store.NotFoundException if the model or version does not exist
   */
  public Stage stageOf(String model, String version) {
    return VersionStages.stageOf(store, model, version);
  }

  /**
   * The model's stage transitions, oldest first.
   *
   * @throws io.mlserve.store.NotFoundException if the model does not exist
   */
  public List<HistoryEntry> history(String model) {
    Objects.requireNonNull(model, "model");
    return store.history(model);
  }

  /**
   * Starts (or replaces) the model's shadow: {@code version} receives a {@code sample} share of
   * the requests the model's primary answers, after they are answered, and its answers are
   * compared with the primary's within {@code atol + rtol * |primary|}. The version must exist
   * and be neither Archived nor the Production version. Appends a history line and
   * {@code ml.model.shadow_changed.v1}; the rename of {@code deployment.json} is the commit point.
   *
   * @return the deployment record as written
   */
  public Deployment startShadow(String model, String version, double sample, double atol,
      double rtol, String actor, String reason) {
    return shadows.start(req(model, "model"), req(version, "version"), sample, atol, rtol,
        req(actor, "actor"), reason);
  }

  /**
   * Stops the model's shadow (stopping none changes nothing and appends nothing).
   *
   * @return the deployment record as it now is
   */
  public Deployment stopShadow(String model, String actor, String reason) {
    return shadows.stop(req(model, "model"), req(actor, "actor"), reason);
  }
}
