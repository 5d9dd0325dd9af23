package io.mlserve.registry;

import io.mlserve.approval.Approval;
import io.mlserve.approval.ApprovalEvents;
import io.mlserve.approval.ApprovalFiles;
import io.mlserve.approval.ApprovalMode;
import io.mlserve.approval.ApprovalState;
import io.mlserve.approval.Decision;
import io.mlserve.approval.EvaluationRequest;
import io.mlserve.approval.GateReport;
import io.mlserve.approval.Gates;
import io.mlserve.approval.Policy;
import io.mlserve.approval.PolicyJson;
import io.mlserve.approval.RolloutSettings;
import io.mlserve.approval.Verdict;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Names;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Stage;
import io.mlserve.store.StoreException;
import io.mlserve.store.StoreLock;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policies and approvals, reached through {@link ModelRegistry#approvals()}: a model's policy
 * ({@code policy.json}) and each version's approval record ({@code versions/<v>/approval.json}).
 * Like every registry change, each write runs under the store lock, first finishes what a
 * killed writer left ({@link Recovery}), appends its history line and its event (which carries
 * the whole policy or record) and makes the record's rename its commit point last, so a kill at
 * any point leaves the old or the new state; events are delivered after unlocking.
 *
 * <p>The state machine (see {@link ApprovalState}): {@link #beginEvaluation} → EVALUATING;
 * {@link #recordEvaluation} judges the metrics with {@link Gates} and, by the policy's mode:
 * automatic: PASSED → APPROVED, FAILED → REJECTED; manual: → PENDING_APPROVAL; hybrid: PASSED →
 * PENDING_APPROVAL until the veto window ends ({@link #expireVetoWindows}), FAILED → REJECTED.
 * {@link #approve} takes PENDING_APPROVAL to APPROVED (any other state only with an override and
 * a reason); {@link #reject} takes any state but REJECTED (and a version in Production) to
 * REJECTED. An approval in automatic or hybrid mode is then acted on: the version is promoted
 * to Production, or a canary rollout of it is started when the policy's {@code on_pass} says
 * {@code rollout} and there is a Production version to roll out from. That follow-up is its own
 * registry change after the approval's commit point: should it fail or be killed, the version
 * stays APPROVED in Staging and the next {@link #expireVetoWindows} pass does it. An approval in
 * manual mode only records the decision; the operator then promotes (now allowed).
 *
 * <p>With a policy, {@link ModelRegistry#promote} to Production refuses a version whose record is
 * not APPROVED ({@link ApprovalRequiredException}); rollbacks are not gated. Without a policy
 * nothing here applies. Thread-safe.
 */
public final class ApprovalChanges {
  private static final Logger log = LoggerFactory.getLogger(ApprovalChanges.class);
  /** The actor of the decisions that {@link #expireVetoWindows} makes. */
  public static final String TIMER = "approval-timer";
  /** The version column of a policy change in history. */
  static final String POLICY_HISTORY = "policy";
  private static final int MAX_TEXT = 1024;

  private final ModelRegistry registry;
  private final ModelStore store;
  private final EventLog events;
  private final Clock clock;
  private final DeploymentStore deployments;
  private final ApprovalFiles files;

  ApprovalChanges(ModelRegistry registry, ModelStore store, EventLog events, Clock clock,
      DeploymentStore deployments) {
    this.registry = registry;
    this.store = store;
    this.events = events;
    this.clock = clock;
    this.deployments = deployments;
    this.files = new ApprovalFiles(store);
  }

  /**
   * The model's policy; empty if it has none (promotion is then not gated). Reads without the
   * lock.
   *
   * @throws NotFoundException if the model does not exist
   */
  public Optional<Policy> policy(String model) {
    return files.policy(req(model, "model"));
  }

  /**
   * Sets (or replaces) the model's policy. Appends a history line (version column
   * {@code policy}: the mode before and after) and {@code ml.model.policy_changed.v1}.
   *
   * @throws NotFoundException if the model does not exist
   */
  public Policy setPolicy(String model, Policy policy, String actor, String reason) {
    Objects.requireNonNull(policy, "policy");
    return locked(model, actor, () -> {
      Policy before = files.policy(model).orElse(null);
      commitPolicy(model, policy, before, actor, reason == null ? "policy set" : reason);
      return policy;
    });
  }

  /**
   * Removes the model's policy: promotion works as without one again; approval records stay.
   * Clearing no policy changes nothing and appends nothing.
   *
   * @return whether there was a policy
   */
  public boolean clearPolicy(String model, String actor, String reason) {
    return locked(model, actor, () -> {
      Policy before = files.policy(model).orElse(null);
      if (before != null) {
        commitPolicy(model, null, before, actor, reason == null ? "policy cleared" : reason);
      }
      return before != null;
    });
  }

  /**
   * The version's approval record ({@link Approval#none} if it never had one). Reads without the
   * lock.
   *
   * @throws NotFoundException if the model or version does not exist
   */
  public Approval approval(String model, String version) {
    return files.approval(req(model, "model"), req(version, "version"));
  }

  /**
   * For the server, when {@code version} has reached Staging: with a policy, records that an
   * evaluation is wanted (state EVALUATING, {@code ml.model.evaluation_requested.v1}) and
   * answers the datasets and the baseline (the current Production version, or none); without a
   * policy writes nothing and answers {@code wanted == false}. A version re-entering Staging
   * starts over (an earlier verdict or approval is replaced; decisions are kept).
   *
   * @throws IllegalTransitionException if the version is not in Staging
   */
  public EvaluationRequest beginEvaluation(String model, String version, String actor) {
    req(version, "version");
    return locked(model, actor, () -> {
      Optional<Policy> policy = files.policy(model);
      if (policy.isEmpty()) {
        store.versionDir(model, version);
        return new EvaluationRequest(false, model, version, List.of(), null);
      }
      Stage stage = registry.stageOf(model, version);
      if (stage != Stage.STAGING) {
        throw new IllegalTransitionException(label(model, version) + " is "
            + stage.displayName() + ", not Staging; evaluations run for versions in Staging");
      }
      String baseline = store.stageVersion(model, Stage.PRODUCTION).orElse(null);
      Approval current = files.approval(model, version);
      Approval next = current.evaluating(policy.get().mode(), policy.get().datasets(), baseline,
          clock.millis());
      commit(current, next, ApprovalEvents.EVALUATION_REQUESTED, "evaluation_requested", actor,
          null, "evaluation requested on " + String.join(", ", next.datasets()) + " against "
              + (baseline == null ? "no baseline" : baseline));
      return new EvaluationRequest(true, model, version, next.datasets(), baseline);
    });
  }

  /**
   * Records an evaluation's metrics and acts on the gates' verdict by the policy's mode (see the
   * class comment): appends {@code ml.model.approved.v1}, {@code ml.model.rejected.v1} or
   * {@code ml.model.approval_requested.v1} (with the verdict and every gate's numbers); an
   * automatic approval then promotes (or starts the rollout).
   *
   * @param baselineMetricsOrNull the baseline's metrics on the same data, or null when there is
   *     no baseline (relative gates are then skipped)
   * @return the record as written (before the follow-up)
   * @throws IllegalTransitionException if the model has no policy or the version is APPROVED
   */
  public Approval recordEvaluation(String model, String version, String evaluationId,
      Map<String, Double> candidateMetrics, Map<String, Double> baselineMetricsOrNull,
      String actor) {
    req(version, "version");
    Objects.requireNonNull(candidateMetrics, "candidateMetrics");
    String evaluation = text(evaluationId, "evaluation id", true);
    Approval a = locked(model, actor, () -> {
      Policy policy = requirePolicy(model);
      Approval current = files.approval(model, version);
      if (current.state() == ApprovalState.APPROVED) {
        throw new IllegalTransitionException(label(model, version) + " is already APPROVED;"
            + " move it to Staging again to evaluate it anew");
      }
      GateReport report = Gates.evaluate(policy.gates(), candidateMetrics,
          baselineMetricsOrNull);
      long now = clock.millis();
      String baseline = current.state() == ApprovalState.EVALUATING ? current.baselineVersion()
          : store.stageVersion(model, Stage.PRODUCTION).orElse(null);
      boolean passed = report.verdict() == Verdict.PASSED;
      ApprovalMode mode = policy.mode();
      Policy.OnPass then = mode == ApprovalMode.MANUAL ? null : policy.onPass();
      String summary = "verdict " + report.verdict() + " on evaluation " + evaluation
          + (passed ? "" : ": " + report.failures());
      if (mode == ApprovalMode.MANUAL || (mode == ApprovalMode.HYBRID && passed)) {
        Long deadline = mode == ApprovalMode.HYBRID ? now + policy.vetoWindow().toMillis() : null;
        Approval next = current.judged(ApprovalState.PENDING_APPROVAL, mode, evaluation, baseline,
            report, deadline, then, now);
        return commit(current, next, ApprovalEvents.APPROVAL_REQUESTED, "verdict", actor, summary,
            summary + (deadline == null ? "; waiting for a decision"
                : "; approved at " + Instant.ofEpochMilli(deadline) + " unless rejected"));
      }
      Approval judged = current.judged(current.state(), mode, evaluation, baseline, report, null,
          then, now);
      Decision d = new Decision(passed ? Decision.Action.AUTO_APPROVE
          : Decision.Action.AUTO_REJECT, actor, summary, now);
      Approval next = judged.decided(passed ? ApprovalState.APPROVED : ApprovalState.REJECTED, d,
          then);
      return commit(current, next, passed ? ApprovalEvents.APPROVED : ApprovalEvents.REJECTED,
          d.action().wireName(), actor, summary, d.action().wireName() + ": " + summary);
    });
    followUp(a, actor);
    return a;
  }

  /**
   * A person approves the version: PENDING_APPROVAL → APPROVED; any other state but APPROVED
   * only with {@code override} and a {@code reason} (recorded as an override). With
   * {@code four_eyes}, the approver must not be the actor who registered the version (its
   * registration line in {@code history.jsonl}). Appends {@code ml.model.approved.v1}. In
   * automatic and hybrid modes the version is then promoted (or rolled out) at once; in manual
   * mode promotion to Production is a separate {@code promote}, now allowed.
   *
   * @throws IllegalTransitionException naming the state and what would approve it
   */
  public Approval approve(String model, String version, String actor, String comment,
      boolean override, String reason) {
    req(version, "version");
    String note = text(comment, "comment", false);
    String why = text(reason, "reason", false);
    Approval a = locked(model, actor, () -> {
      Policy policy = requirePolicy(model);
      Approval current = files.approval(model, version);
      ApprovalState s = current.state();
      if (s == ApprovalState.APPROVED) {
        throw new IllegalTransitionException(label(model, version) + " is already APPROVED");
      }
      if (override && why == null) {
        throw new InvalidRequestException("an override needs a reason (--reason): it is"
            + " recorded with the approval");
      }
      if (!override && s != ApprovalState.PENDING_APPROVAL) {
        throw new IllegalTransitionException(label(model, version) + " is not waiting for an"
            + " approval: " + ApprovalGate.describe(current) + "; approving it anyway needs --override and"
            + " --reason");
      }
      if (policy.fourEyes()) {
        String registrant = registrant(model, version);
        if (actor.equals(registrant)) {
          throw new IllegalTransitionException("four eyes: " + registrant + " registered "
              + label(model, version) + ", so someone else must approve it");
        }
      }
      Decision d = new Decision(override ? Decision.Action.OVERRIDE : Decision.Action.APPROVE,
          actor, override ? why + (note == null ? "" : " (" + note + ")") : note, clock.millis());
      Policy.OnPass then = policy.mode() == ApprovalMode.MANUAL ? null : policy.onPass();
      return commit(current, current.decided(ApprovalState.APPROVED, d, then),
          ApprovalEvents.APPROVED, d.action().wireName(), actor, d.comment(),
          d.action().wireName() + (d.comment() == null ? "" : ": " + d.comment()));
    });
    followUp(a, actor);
    return a;
  }

  /**
   * A person rejects the version (a veto, in hybrid mode): any state but REJECTED → REJECTED; a
   * version already in Production is refused (roll it back instead). Appends
   * {@code ml.model.rejected.v1}.
   */
  public Approval reject(String model, String version, String actor, String comment) {
    req(version, "version");
    String note = text(comment, "comment", false);
    return locked(model, actor, () -> {
      Policy policy = requirePolicy(model);
      Approval current = files.approval(model, version);
      if (current.state() == ApprovalState.REJECTED) {
        throw new IllegalTransitionException(label(model, version) + " is already REJECTED");
      }
      if (registry.stageOf(model, version) == Stage.PRODUCTION) {
        throw new IllegalTransitionException(label(model, version) + " is in Production;"
            + " roll it back instead of rejecting it");
      }
      Decision d = new Decision(Decision.Action.REJECT, actor, note, clock.millis());
      Policy.OnPass then = policy.mode() == ApprovalMode.MANUAL ? null : policy.onPass();
      return commit(current, current.decided(ApprovalState.REJECTED, d, then),
          ApprovalEvents.REJECTED, "reject", actor, note, "reject" + (note == null ? ""
              : ": " + note));
    });
  }

  /**
   * One pass of the approval timer (the server calls it on a tick; idempotent): every hybrid
   * version PENDING_APPROVAL whose veto deadline is at or before {@code now} is approved
   * ({@code auto_approve} by {@value #TIMER}) and promoted (or rolled out); every APPROVED version
   * whose automatic follow-up did not happen (a failure or a kill after its approval) gets it.
   * A model whose policy is no longer hybrid approves nothing by deadline.
   *
   * @return the records this pass approved
   */
  public List<Approval> expireVetoWindows(Instant now) {
    Objects.requireNonNull(now, "now");
    List<Approval> approved = new ArrayList<>();
    for (String model : store.modelNames()) {
      Optional<Policy> policy;
      try {
        policy = files.policy(model);
      } catch (StoreException e) { // `check` reports it; the other models go on
        log.warn("approval timer skips {}: {}", model, e.getMessage());
        continue;
      }
      if (policy.isEmpty()) {
        continue;
      }
      for (String version : store.versions(model)) {
        Approval a = files.approval(model, version);
        if (policy.get().mode() == ApprovalMode.HYBRID
            && a.state() == ApprovalState.PENDING_APPROVAL && a.vetoDeadline() != null
            && a.vetoDeadline() <= now.toEpochMilli()) {
          Approval done = expire(model, version, now.toEpochMilli());
          if (done != null) {
            approved.add(done);
            a = done;
          }
        }
        followUp(a, TIMER);
      }
    }
    return approved;
  }

  /** Under the lock again: the deadline may have met a decision meanwhile. */
  private Approval expire(String model, String version, long now) {
    return locked(model, TIMER, () -> {
      Policy policy = files.policy(model).orElse(null);
      Approval current = files.approval(model, version);
      if (policy == null || policy.mode() != ApprovalMode.HYBRID
          || current.state() != ApprovalState.PENDING_APPROVAL || current.vetoDeadline() == null
          || current.vetoDeadline() > now) {
        return null;
      }
      String why = "veto window ended at " + Instant.ofEpochMilli(current.vetoDeadline())
          + " with no rejection";
      Decision d = new Decision(Decision.Action.AUTO_APPROVE, TIMER, why, now);
      return commit(current, current.decided(ApprovalState.APPROVED, d, policy.onPass()),
          ApprovalEvents.APPROVED, d.action().wireName(), TIMER, why, "auto_approve: " + why);
    });
  }

  /**
   * Under the lock, from {@link ModelRegistry#promote} to Production and from a rollout's start:
   * refuses a version the policy has not approved ({@link ApprovalGate}).
   */
  void checkProduction(String model, String version) {
    new ApprovalGate(files).check(model, version);
  }

  /**
   * After an approval's commit point, in automatic and hybrid modes: promote the version (or
   * start its rollout) if it is still in Staging and that has not happened. A failure is logged
   * and left to the next timer pass; the approval stands.
   */
  private void followUp(Approval a, String actor) {
    if (a.state() != ApprovalState.APPROVED || a.then() == null) {
      return;
    }
    String model = a.model();
    String version = a.version();
    try {
      if (registry.stageOf(model, version) != Stage.STAGING) {
        return;
      }
      boolean production = store.stageVersion(model, Stage.PRODUCTION).isPresent();
      String why = "approved (" + a.lastDecision().action().wireName() + " by "
          + a.lastDecision().actor() + ")";
      if (a.then() == Policy.OnPass.ROLLOUT && production) {
        boolean started = deployments.read(model).map(d -> d.rollout())
            .filter(r -> r.candidate().equals(version)).isPresent();
        Policy policy = files.policy(model).orElse(null);
        if (!started && policy != null && policy.rollout() != null) {
          registry.startRollout(model, plan(version, policy.rollout()), actor, why);
        }
      } else {
        registry.promote(model, version, Stage.PRODUCTION, actor, why);
      }
    } catch (RuntimeException e) {
      log.warn("{}:{} is approved but its {} did not happen (the approval timer retries): {}",
          model, version, a.then().wireName(), e.getMessage());
    }
  }

  private static RolloutPlan plan(String version, RolloutSettings s) {
    return new RolloutPlan(version, s.steps(), s.bake(), s.thresholds(), s.pauseAt());
  }

  /** The actor of the version's registration line in history, or null if none is recorded. */
  private String registrant(String model, String version) {
    for (HistoryEntry e : store.history(model)) {
      if (e.version().equals(version) && e.fromStage() == null
          && Stage.DEVELOPMENT.displayName().equals(e.toStage())) {
        return e.actor();
      }
    }
    return null;
  }

  private Policy requirePolicy(String model) {
    return files.policy(model).orElseThrow(() -> new IllegalTransitionException("model "
        + Names.printable(model) + " has no policy, so its versions need no approval; set one"
        + " with `mlctl policy set`"));
  }

  private <T> T locked(String model, String actor, StoreLock.Action<T> change) {
    req(model, "model");
    RegisterChecks.actor(req(actor, "actor"));
    return registry.locked(model, () -> {
      if (!store.hasModel(model)) {
        throw NotFoundException.model(model);
      }
      return change.run();
    });
  }

  /** Under the lock: history, event, then the record's rename (the commit point). */
  private Approval commit(Approval current, Approval next, String type, String action,
      String actor, String comment, String what) {
    String model = next.model();
    String version = next.version();
    long now = next.updatedAt();
    store.appendHistory(new HistoryEntry(now, model, version, current.state().name(),
        next.state().name(), actor, what), events.nextSeq());
    Event e = events.appendQueued(ApprovalEvents.approvalChanged(type, next, current.state(),
        action, registry.stageOf(model, version).displayName(),
        store.manifest(model, version).runId(), actor, comment, now));
    Approval written = next.withSeq(e.seq());
    files.writeApproval(written); // the commit point
    return written;
  }

  private void commitPolicy(String model, Policy next, Policy before, String actor,
      String reason) {
    long now = clock.millis();
    store.appendHistory(new HistoryEntry(now, model, POLICY_HISTORY,
        before == null ? null : before.mode().wireName(),
        next == null ? HistoryEntry.NO_SPLIT : next.mode().wireName(), actor, reason),
        events.nextSeq());
    events.appendQueued(ApprovalEvents.policyChanged(model, next, before, actor, reason, now));
    files.writePolicy(model, next); // the commit point
  }

  private static String label(String model, String version) {
    return Names.printable(model) + ":" + Names.printable(version);
  }

  /** A comment, reason or id: trimmed, printable, at most 1 KiB; null when blank. */
  private static String text(String s, String what, boolean required) {
    if (s == null || s.isBlank()) {
      if (required) {
        throw new InvalidRequestException(what + " is required");
      }
      return null;
    }
    String t = s.strip();
    if (t.length() > MAX_TEXT || !Names.printable(t).equals(t)) {
      throw new InvalidRequestException(what + " must be one line of printable text, at most"
          + " 1024 characters");
    }
    return t;
  }

  private static String req(String s, String name) {
    return Objects.requireNonNull(s, name);
  }
}
