package io.mlserve.server.rollout;

import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.experiment.AbWindow;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.shadow.ShadowReport;
import io.mlserve.server.shadow.Shadows;
import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Rollout;
import io.mlserve.store.StoreLease;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives every running rollout of the store one decision at a time: on each tick, if this
 * server holds the store's {@code rollout} lease (so with several servers on one store exactly
 * one advances rollouts; the others follow the records it writes), for each model whose
 * deployment record has a {@code RUNNING} rollout it takes the candidate's and the stable
 * version's windows of the split in force from {@link Experiments} (only requests the split
 * routed, since the split took effect on this server, with the feedback outcomes joined to
 * each arm's predictions of that split), asks {@link RolloutController#next} and
 * applies the decision through the registry ({@link RolloutSteps}). The record is the state:
 * a restart or a takeover resumes from it.
 *
 * <p>The I/O shell around the pure controller: {@link #tick} is what tests call with a fake
 * clock. This class is thread-safe; ticks run on one daemon thread.
 */
public final class RolloutRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RolloutRunner.class);
  /** Who history and events name for the controller's changes. */
  public static final String ACTOR = "rollout-controller";

  private final ModelStore store;
  private final DeploymentStore deployments;
  private final Experiments experiments;
  private final Shadows shadows;
  private final StoreLease lease;
  private final Clock clock;
  private final RolloutController controller = new RolloutController();
  private final RolloutSteps steps;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "mlserve-rollouts");
    t.setDaemon(true);
    return t;
  });

  /**
   * @param shadows where a shadow of the candidate (if one runs) measures its divergence from
   *     the primary: the share of compared requests whose outputs did not agree
   */
  public RolloutRunner(ModelStore store, ModelRegistry registry, Experiments experiments,
      Shadows shadows, StoreLease lease, Clock clock) {
    this.shadows = Objects.requireNonNull(shadows, "shadows");
    this.store = Objects.requireNonNull(store, "store");
    this.deployments = new DeploymentStore(store);
    this.experiments = Objects.requireNonNull(experiments, "experiments");
    this.lease = Objects.requireNonNull(lease, "lease");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.steps = new RolloutSteps(Objects.requireNonNull(registry, "registry"), ACTOR);
  }

  /** Ticks every {@code periodMillis} from now on. */
  public void start(long periodMillis) {
    timer.scheduleWithFixedDelay(() -> {
      try {
        tick();
      } catch (RuntimeException e) {
        log.error("rollout tick failed; the next one tries again", e);
      }
    }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * One round: decides and applies one step of every running rollout, if this server holds the
   * lease.
   *
   * @return how many rollouts changed
   */
  public int tick() {
    if (!holdsLease()) {
      return 0;
    }
    int changed = 0;
    for (String model : store.modelNames()) {
      try {
        changed += step(model) ? 1 : 0;
      } catch (RuntimeException e) { // e.g. an operator changed the rollout meanwhile
        log.warn("{}: rollout step not applied: {}", model, e.getMessage());
      }
    }
    return changed;
  }

  private boolean holdsLease() {
    try {
      return lease.tryAcquire();
    } catch (RuntimeException e) { // a full disk, say: act as if another server held it
      log.warn("rollout lease not taken: {}", e.getMessage());
      return false;
    }
  }

  private boolean step(String model) {
    Optional<Deployment> d = deployments.read(model);
    if (d.isEmpty() || d.get().rollout() == null
        || d.get().rollout().state() != Rollout.State.RUNNING) {
      return false;
    }
    Rollout r = d.get().rollout();
    long now = clock.millis();
    AbWindow w = experiments.report(model).current();
    if (w != null && (d.get().split() == null || !w.weights().equals(d.get().split().weights()))) {
      w = null; // this server does not serve the record's split yet: nothing to judge
    }
    String splitId = Long.toString(d.get().seq());
    ArmWindow candidate = withDivergence(model, r.candidate(),
        window(w, r.candidate(), r.stepStartedAt()));
    ArmWindow stable = window(w, r.stable(), r.stepStartedAt());
    RolloutDecision decision = controller.next(r, candidate, stable, now);
    if (decision.action() == RolloutDecision.Action.NONE) {
      return false;
    }
    log.info("{}: rollout of {} at {}%: {} ({}; split {})", model, r.candidate(),
        r.weight(), decision.action(), decision.analysis(), splitId);
    return steps.apply(model, decision).isPresent();
  }

  /**
   * The window with the candidate's divergence when a shadow of the candidate runs and has
   * compared answers: the share of compared requests whose outputs did not agree.
   */
  private ArmWindow withDivergence(String model, String candidate, ArmWindow w) {
    if (!shadows.active(model)) {
      return w;
    }
    ShadowReport s;
    try {
      s = shadows.report(model);
    } catch (RuntimeException stoppedMeanwhile) {
      return w;
    }
    if (!s.version().equals(candidate) || s.agreementRatio() == null) {
      return w;
    }
    return new ArmWindow(w.sinceMillis(), w.requests(), w.errors(), w.p95Millis(),
        1 - s.agreementRatio(), w.feedback());
  }

  /** An arm's window of the split in force, or an empty one since the step began. */
  private static ArmWindow window(AbWindow w, String version, long stepStartedAt) {
    if (w == null) {
      return ArmWindow.empty(stepStartedAt);
    }
    for (AbWindow.Arm a : w.arms()) {
      if (a.version().equals(version)) {
        List<FeedbackFigure> feedback = new ArrayList<>();
        for (AbWindow.Outcome o : a.outcomes()) {
          feedback.add(new FeedbackFigure(o.metric(), o.n(), o.value()));
        }
        return new ArmWindow(Math.max(stepStartedAt, w.startedAtMillis()), a.requests(),
            a.errors(), a.p95Ms() == null ? 0 : a.p95Ms(), null, feedback);
      }
    }
    return ArmWindow.empty(Math.max(stepStartedAt, w.startedAtMillis()));
  }

  /** Stops ticking and gives the lease up. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      lease.release();
    } catch (RuntimeException e) {
      log.warn("rollout lease not released: {}", e.getMessage());
    }
  }
}
