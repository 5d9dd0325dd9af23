package io.mlserve.server;

import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.alerts.AlertService;
import io.mlserve.server.approval.ApprovalWorkflow;
import io.mlserve.server.evaluation.EvaluationRunner;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.rollout.RolloutRunner;
import io.mlserve.server.shadow.Shadows;
import io.mlserve.store.ModelStore;
import io.mlserve.store.StoreLease;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The lifecycle's singletons of one server: alert evaluation, the canary rollout controller
 * and the approval workflow. With several servers on one store each runs on one of them at a
 * time, under a {@link StoreLease} named after it ({@code alerts}, {@code rollout},
 * {@code approval}) and held by this process's identity ({@code host:pid:random}).
 *
 * <p>{@link #start} and {@link #close} are called once each, by {@link MlServer}'s start and
 * shutdown; thread-safe for that use.
 */
final class LifecycleSingletons {
  private static final Duration LEASE_TTL = Duration.ofSeconds(10);

  private final ModelStore store;
  private final ModelRegistry registry; // null: no registry, nothing to lead
  private final Experiments experiments;
  private final Shadows shadows;
  private final EvaluationRunner evaluations; // null: no approval workflow
  private final AlertService alerts; // null: --no-alerts
  private final long rolloutTickMillis;
  private final Clock clock;
  private volatile RolloutRunner rollouts;
  private volatile ApprovalWorkflow approvals;

  LifecycleSingletons(ModelStore store, ModelRegistry registry, Experiments experiments,
      Shadows shadows, EvaluationRunner evaluations, AlertService alerts, long rolloutTickMillis,
      Clock clock) {
    this.store = store;
    this.registry = registry;
    this.experiments = experiments;
    this.shadows = shadows;
    this.evaluations = evaluations;
    this.alerts = alerts;
    this.rolloutTickMillis = rolloutTickMillis;
    this.clock = clock;
  }

  /** Starts each singleton this server runs; {@code seq} is the event log's last at start. */
  void start(long seq) throws UnknownHostException {
    String holder = InetAddress.getLocalHost().getHostName() + ":"
        + ProcessHandle.current().pid() + ":"
        + Long.toHexString(ThreadLocalRandom.current().nextLong());
    if (alerts != null) {
      if (registry == null) {
        alerts.attach(AlertService.Leadership.ALWAYS, e -> { });
      } else {
        alerts.followStore(store, holder, registry.events());
      }
      alerts.start();
    }
    if (rolloutTickMillis > 0 && registry != null) {
      rollouts = new RolloutRunner(store, registry, experiments, shadows,
          new StoreLease(store, "rollout", holder, LEASE_TTL, clock), clock);
      rollouts.start(rolloutTickMillis);
      if (evaluations != null) {
        approvals = new ApprovalWorkflow(store, registry, evaluations,
            new StoreLease(store, "approval", holder, LEASE_TTL, clock), clock);
        approvals.start(seq, rolloutTickMillis);
      }
    }
  }

  /** Stops them (a holder that stops releases nothing: its leases expire). */
  void close() {
    RolloutRunner r = rollouts;
    if (r != null) {
      r.close();
    }
    ApprovalWorkflow w = approvals;
    if (w != null) {
      w.close();
    }
    if (alerts != null) {
      alerts.close();
    }
  }
}
