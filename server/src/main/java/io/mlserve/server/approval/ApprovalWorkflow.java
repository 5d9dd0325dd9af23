package io.mlserve.server.approval;

import io.mlserve.approval.Approval;
import io.mlserve.approval.ApprovalState;
import io.mlserve.approval.EvaluationRequest;
import io.mlserve.approval.Gates;
import io.mlserve.approval.Policy;
import io.mlserve.evaluation.Evaluation;
import io.mlserve.evaluation.EvaluationException;
import io.mlserve.evaluation.ProgressListener;
import io.mlserve.registry.ApprovalChanges;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.evaluation.Baseline;
import io.mlserve.server.evaluation.EvaluationOptions;
import io.mlserve.server.evaluation.EvaluationRunner;
import io.mlserve.store.Event;
import io.mlserve.store.EventFollower;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import io.mlserve.store.StoreLease;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the approval workflow of every model with a policy, on the one server of a store that
 * holds the {@code approval} lease (the others follow the records). Each tick:
 * <ol>
 *   <li>a version that reached Staging under a policy (seen in the event log:
 *       {@code ml.model.promoted.v1} to Staging; or found in Staging with no approval record,
 *       e.g. after this server was down) gets its evaluation asked for
 *       ({@code ApprovalChanges.beginEvaluation}: state EVALUATING);</li>
 *   <li>a version EVALUATING is evaluated on each of the policy's datasets against the
 *       baseline the record names, through the real engine ({@link EvaluationRunner}, one
 *       evaluation at a time, in the background); the gates judge each dataset's figures; the
 *       first failing dataset's, else the last one's, are recorded
 *       ({@code recordEvaluation}), which approves and promotes, rejects, or waits for a person
 *       by the policy's mode. An evaluation that cannot run (a dataset removed, the version
 *       failing) rejects the version naming why; a busy evaluator is tried again next tick;</li>
 *   <li>hybrid veto windows that ended approve their version ({@code expireVetoWindows}).</li>
 * </ol>
 * Everything it acts on is in the store, so a restart resumes: a version left EVALUATING is
 * evaluated again. Thread-safe: ticks run on one timer thread, evaluations on the runner's.
 */
public final class ApprovalWorkflow implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApprovalWorkflow.class);
  /** The actor of what the workflow does (beginning evaluations, recording verdicts). */
  public static final String ACTOR = "evaluator";

  private final ModelStore store;
  private final ModelRegistry registry;
  private final ApprovalChanges approvals;
  private final EvaluationRunner runner;
  private final StoreLease lease;
  private final Clock clock;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "mlserve-approvals");
    t.setDaemon(true);
    return t;
  });
  /**
   * Versions seen entering Staging ("model\0version" → the seq of that event): an approval
   * record older than the entry is begun anew.
   */
  private final Map<String, Long> entered = new ConcurrentHashMap<>();
  /** Versions being evaluated now, "model\0version". */
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private volatile EventFollower follower;
  private volatile boolean closed;

  public ApprovalWorkflow(ModelStore store, ModelRegistry registry, EvaluationRunner runner,
      StoreLease lease, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.approvals = registry.approvals();
    this.runner = Objects.requireNonNull(runner, "runner");
    this.lease = Objects.requireNonNull(lease, "lease");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Follows the event log after {@code afterSeq} and ticks every {@code periodMillis}. */
  public void start(long afterSeq, long periodMillis) {
    follower = EventFollower.start(store.root(), afterSeq, this::onEvent,
        EventFollower.DEFAULT_POLL);
    timer.scheduleWithFixedDelay(() -> {
      try {
        tick();
      } catch (RuntimeException e) {
        log.error("approval tick failed; the next one tries again", e);
      }
    }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** Notes a version that entered Staging: the next tick asks for its evaluation. */
  void onEvent(Event e) {
    if (e.modelName() != null && e.version() != null
        && Stage.STAGING.displayName().equals(e.stage())
        && e.eventType().equals("ml.model.promoted.v1")) {
      entered.merge(e.modelName() + "\u0000" + e.version(), e.seq(), Math::max);
    }
  }

  /**
   * One pass over the models with a policy, if this server holds the lease.
   *
   * @return how many records it changed or evaluations it started
   */
  public int tick() {
    if (closed || !holdsLease()) {
      return 0;
    }
    int acted = 0;
    for (String model : store.modelNames()) {
      try {
        acted += model(model);
      } catch (RuntimeException e) { // e.g. someone changed the version meanwhile
        log.warn("{}: approval step not applied: {}", model, e.getMessage());
      }
    }
    try {
      acted += approvals.expireVetoWindows(Instant.ofEpochMilli(clock.millis())).size();
    } catch (RuntimeException e) {
      log.warn("veto windows not expired: {}", e.getMessage());
    }
    return acted;
  }

  private int model(String model) {
    Optional<Policy> policy = approvals.policy(model);
    Optional<String> staging = store.stageVersion(model, Stage.STAGING);
    if (policy.isEmpty() || staging.isEmpty()) {
      entered.keySet().removeIf(k -> k.startsWith(model + "\u0000"));
      return 0;
    }
    String version = staging.get();
    String key = model + "\u0000" + version;
    Approval a = approvals.approval(model, version);
    int acted = 0;
    Long enteredAt = entered.remove(key);
    boolean reentered = enteredAt != null && enteredAt > a.seq();
    if (reentered || a.state() == ApprovalState.NONE) {
      EvaluationRequest req = approvals.beginEvaluation(model, version, ACTOR);
      if (!req.wanted()) {
        return 0;
      }
      a = approvals.approval(model, version);
      acted++;
    }
    if (a.state() == ApprovalState.EVALUATING && running.add(key)) {
      Approval evaluating = a;
      Thread t = new Thread(() -> {
        try {
          evaluate(evaluating, policy.get());
        } finally {
          running.remove(key);
        }
      }, "mlserve-approval-" + model);
      t.setDaemon(true);
      t.start();
      acted++;
    }
    return acted;
  }

  /** Evaluates on each dataset and records the verdict; on the caller's thread. */
  private void evaluate(Approval a, Policy policy) {
    String model = a.model();
    String version = a.version();
    Baseline baseline = a.baselineVersion() == null ? Baseline.none()
        : Baseline.version(a.baselineVersion());
    Function<Evaluation, io.mlserve.evaluation.Verdict> judge = e -> GateMetrics.verdict(
        Gates.evaluate(policy.gates(), GateMetrics.candidate(e), GateMetrics.baseline(e)));
    EvaluationOptions options = new EvaluationOptions(EvaluationOptions.DEFAULT_BATCH_SIZE,
        null, null, policy.metrics(), judge);
    List<Evaluation> done = new ArrayList<>();
    for (String dataset : a.datasets()) {
      try {
        done.add(runner.run(model, version, dataset, baseline, options, ACTOR,
            ProgressListener.NONE, () -> closed));
      } catch (InferenceException busy) {
        if (busy.kind() == InferenceException.Kind.RESOURCE_EXHAUSTED) {
          log.info("{}:{}: the evaluator is busy; trying again on the next tick", model,
              version);
          return;
        }
        reject(a, "evaluation on '" + dataset + "' could not run: " + busy.getMessage());
        return;
      } catch (EvaluationException e) {
        if (closed || e.reason() == EvaluationException.Reason.CANCELLED) {
          return; // shutting down: EVALUATING stays, the next start evaluates again
        }
        reject(a, "evaluation on '" + dataset + "' failed: " + e.getMessage());
        return;
      } catch (RuntimeException e) { // an unknown dataset, a version gone
        reject(a, "evaluation on '" + dataset + "' could not run: " + e.getMessage());
        return;
      }
    }
    if (done.isEmpty()) {
      reject(a, "the policy names no dataset to evaluate on");
      return;
    }
    Evaluation decisive = done.get(done.size() - 1);
    for (Evaluation e : done) { // the judge above put the gates' verdict on each
      if (e.verdict().outcome() == io.mlserve.evaluation.Verdict.Outcome.FAIL) {
        decisive = e;
        break;
      }
    }
    if (closed) {
      return;
    }
    Approval now = approvals.approval(model, version);
    if (now.state() != ApprovalState.EVALUATING) {
      log.info("{}:{}: left EVALUATING ({}) while it was evaluated; the verdict of {} is not"
          + " recorded", model, version, now.state(), decisive.id());
      return;
    }
    Approval after = approvals.recordEvaluation(model, version, decisive.id(),
        GateMetrics.candidate(decisive), GateMetrics.baseline(decisive), ACTOR);
    log.info("{}:{}: evaluation {} recorded: {}", model, version, decisive.id(), after.state());
  }

  private void reject(Approval a, String why) {
    log.warn("{}:{}: {}", a.model(), a.version(), why);
    try {
      approvals.reject(a.model(), a.version(), ACTOR, why);
    } catch (RuntimeException e) {
      log.warn("{}:{}: not rejected: {}", a.model(), a.version(), e.getMessage());
    }
  }

  private boolean holdsLease() {
    try {
      return lease.tryAcquire();
    } catch (RuntimeException e) {
      log.warn("approval lease not taken: {}", e.getMessage());
      return false;
    }
  }

  /** Stops following and ticking; a running evaluation is cancelled; the lease is given up. */
  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    EventFollower f = follower;
    if (f != null) {
      f.close();
    }
    try {
      lease.release();
    } catch (RuntimeException e) {
      log.warn("approval lease not released: {}", e.getMessage());
    }
  }
}
