package io.mlserve.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.core.ServerState;
import io.mlserve.server.drift.DriftAlertSignals;
import io.mlserve.server.drift.DriftMonitor;
import io.mlserve.server.experiment.ExperimentConfig;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.grpc.DriftGrpcService;
import io.mlserve.server.grpc.ExperimentsGrpcService;
import io.mlserve.server.grpc.InferenceGrpcService;
import io.mlserve.server.grpc.ReadYourWrites;
import io.mlserve.server.triton.shm.SharedMemoryGrpc;
import io.mlserve.registry.grpc.AdminAuth;
import io.mlserve.server.model.IdleUnloader;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.reload.PromotionGuard;
import io.mlserve.server.reload.ReloadCoordinator;
import io.mlserve.server.alerts.AlertService;
import io.mlserve.server.alerts.ServedScopes;
import io.mlserve.server.grpc.AlertsGrpcService;
import io.mlserve.server.serving.AnswerListener;
import io.mlserve.server.shadow.Shadows;
import io.mlserve.server.triton.RepositoryAuth;
import io.mlserve.server.triton.RepositoryGrpc;
import io.mlserve.server.triton.RepositoryService;
import io.mlserve.server.usage.UsageCounts;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.serving.RequestIds;
import io.mlserve.store.ModelStore;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference server: serves the Production (and, by stage, the Staging) version of every
 * model in a store over gRPC (Open Inference Protocol v2, {@code grpc.health.v1.Health}, server
 * reflection v1 and v1alpha), and follows the store's events to reload without downtime.
 *
 * <p>The gRPC transport comes in as a {@link ServerBuilder}, so tests hand in an in-process
 * builder and {@code main} a Netty one. The server binds first (live, not ready), loads and warms
 * the models, then reports ready. This class is thread-safe.
 */
public final class MlServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MlServer.class);

  private final ModelStore store;
  private final ModelRouter router;
  private final ServerState state;
  private final InferenceService inference;
  private final Experiments experiments;
  private final Shadows shadows;
  private final UsageCounts usage = new UsageCounts();
  private final DriftMonitor drift;
  private final ModelRegistry registry;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server grpcServer;
  private final ReloadCoordinator coordinator;
  private final RepositoryGrpc repositoryGrpc;
  private final PromotionGuard guard;
  private final boolean followEvents;
  private final List<AutoCloseable> closeAfter;
  private final Clock clock;
  private final AlertService alerts; // null: --no-alerts
  private final LifecycleSingletons singletons;
  private final CompletableFuture<?> readyAfter;
  private final IdleUnloader idle;

  MlServer(MlServerBuilder b) {
    this.store = b.store;
    this.router = b.router;
    this.registry = b.registry;
    this.followEvents = b.followEvents;
    this.closeAfter = List.copyOf(b.closeAfter);
    this.clock = b.clock;
    this.state = new ServerState(router::allDefaultsLoaded);
    this.experiments = b.experiments != null ? b.experiments
        : new Experiments(ExperimentConfig.defaults(), b.ticker, b.clock);
    this.shadows = new Shadows(b.ticker, b.clock);
    this.drift = new DriftMonitor(b.drift, b.clock, DriftMonitor.storeReferences(store),
        DriftMonitor.storeEvaluations(store), (m, v) -> router.loaded(m, v) != null,
        router::serves);
    experiments.onFeedback(drift::onFeedback);
    this.alerts = b.alerts == null ? null : AlertService.create(b.alerts.config(),
        b.alerts.interval(), new ServedScopes(router), new DriftAlertSignals(drift),
        b.alerts.resources(), b.alerts.externalUrl(), b.clock);
    this.singletons = new LifecycleSingletons(store, registry, experiments, shadows,
        b.evaluations, alerts, b.rolloutTickMillis, b.clock);
    AnswerListener record = new AnswerRecorder(router, usage, shadows, drift, experiments);
    this.inference = new InferenceService(router, b.ticker, new RequestIds(), record);
    this.coordinator = new ReloadCoordinator(store, registry, router, b.loader, b.clock,
        (model, serving) -> health.setStatus(model,
            serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING));
    this.repositoryGrpc = new RepositoryGrpc(new RepositoryService(store, router, coordinator,
        RepositoryService.DEFAULT_LOAD_WAIT));
    b.grpc
        .addService(RepositoryAuth.protect(ServerInterceptors.intercept(
            new InferenceGrpcService(inference, state, Version.get(), b.checkFinite,
                repositoryGrpc, b.streams, b.sharedMemory),
            InferenceGrpcService.routingKeyInterceptor(),
            AdminAuth.forMethods(b.adminToken, SharedMemoryGrpc.MUTATING)), b.adminToken))
        .addService(new ExperimentsGrpcService(experiments, shadows))
        .addService(new AlertsGrpcService(this::alertReport))
        .addService(new DriftGrpcService(drift))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(legacyReflection());
    b.services.forEach(b.grpc::addService);
    b.definitions.forEach(b.grpc::addService);
    ReadYourWrites applied = new ReadYourWrites(this::awaitApplied);
    b.adminDefinitions.forEach(d -> b.grpc.addService(ServerInterceptors.intercept(d, applied)));
    this.grpcServer = b.grpc.build();
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
    this.guard = new PromotionGuard(coordinator, b.guardPolicies, b.ticker, b.guardCheckMillis);
    coordinator.setGuard(guard);
    router.setOnDemandLoader(coordinator::loadOnDemand);
    // Idle non-Production versions are unloaded on the reload thread, between route changes.
    this.idle = new IdleUnloader(router, b.ticker, coordinator::runOnReloadThread);
    coordinator.serveShadows(shadows);
    // A new split starts a new A/B window (the same split re-applied keeps it).
    coordinator.onTrafficChange((model, arms) -> experiments.splitChanged(model,
        arms == null ? null : arms.id(), arms == null ? Map.of() : arms.weights()));
    // A model whose Production version failed to load (and has nothing to fall back to) keeps
    // the server not ready; so does the caller's set-up until it is done (readyAfter).
    this.readyAfter = b.readyAfter;
    state.readyAlsoWhen(() -> readyAfter.isDone() && coordinator.statuses().values().stream()
        .noneMatch(s -> s.production() == null && s.state().equals("RELOAD_FAILED")));
  }

  /**
   * Applies what the store says of {@code model} to this server, waiting {@link #APPLY_WAIT}:
   * what the admin services call after a change through this server (read-your-writes).
   */
  public void awaitApplied(String model) throws InterruptedException {
    coordinator.reconcileNow(model, APPLY_WAIT);
  }

  /** A server over {@code store} whose versions {@code loader} loads. */
  public static MlServerBuilder builder(ServerBuilder<?> grpc, ModelStore store,
      ModelLoader loader) {
    return new MlServerBuilder(grpc, store, loader);
  }

  @SuppressWarnings("deprecation")
  private static BindableService legacyReflection() {
    return ProtoReflectionService.newInstance();
  }

  /**
   * Binds the gRPC port, loads every model's Production and Staging versions, marks the server
   * ready, then follows the store's event log. A model that fails to load is logged and left out
   * (the others serve).
   *
   * @return the models that have no version serving after the initial load
   */
  public List<String> start() throws IOException, InterruptedException {
    grpcServer.start();
    long seq = registry != null ? registry.events().lastSeq() : 0;
    coordinator.reconcileAll();
    List<String> failures = new ArrayList<>();
    coordinator.statuses().forEach((model, s) -> {
      if (s.production() == null) {
        failures.add(model + ": " + (s.reason() == null ? "no Production version" : s.reason()));
      }
    });
    state.markStarted();
    // After a shutdown began, the health service is in its terminal state and ignores this.
    readyAfter.whenComplete((done, failed) -> health.setStatus(
        HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING));
    if (followEvents) {
      coordinator.follow(seq);
    }
    drift.start();
    idle.start();
    singletons.start(seq);
    return failures;
  }

  /** The alert report (every alert when {@code model} is null); a disabled one without alerts. */
  public AlertService.Report alertReport(String model) {
    return alerts == null ? AlertService.Report.disabled() : alerts.report(model);
  }

  /** The alert families of {@code /metrics} ("" without alerts). */
  public String alertMetricsText() {
    return alerts == null ? "" : alerts.metricsText();
  }

  /** The port gRPC is bound to (-1 for an in-process server). */
  public int grpcPort() {
    return grpcServer.getPort();
  }

  public ModelRouter router() {
    return router;
  }

  /** How long an admin change through this server waits to be applied here before answering. */
  public static final java.time.Duration APPLY_WAIT = java.time.Duration.ofSeconds(10);

  /**
   * The transport name bulk-job chunks run under: their answers count in A/B windows but are
   * not kept for feedback (a million-row job would evict every interactive prediction).
   */
  public static final String BULK_TRANSPORT = io.mlserve.server.bulk.ChunkedInference.TRANSPORT;

  /** The running shadows (copies of answered requests to a version under comparison). */
  public Shadows shadows() {
    return shadows;
  }

  /** Live drift: per served version, sampled rows compared with its reference. */
  public DriftMonitor drift() {
    return drift;
  }

  /** Requests per model, version and client (routing key), for the dashboard's usage view. */
  public UsageCounts usage() {
    return usage;
  }

  /** The A/B windows and the prediction log that feedback joins. */
  public Experiments experiments() {
    return experiments;
  }

  /** The serving entry point every transport goes through. */
  public InferenceService inference() {
    return inference;
  }

  public ServerState state() {
    return state;
  }

  public ReloadCoordinator coordinator() {
    return coordinator;
  }

  /** Triton's model repository calls over this server's store (the REST routes use it too). */
  public RepositoryService repository() {
    return repositoryGrpc.service();
  }

  public PromotionGuard guard() {
    return guard;
  }

  /** Blocks until the gRPC server terminates. */
  public void awaitTermination() throws InterruptedException {
    grpcServer.awaitTermination();
  }

  /**
   * The first step of a graceful stop, alone: from now on the server reports not ready
   * ({@code grpc.health.v1} NOT_SERVING, {@code /readyz} 503) while it still serves every call,
   * so that load balancers take it out of rotation before {@link #shutdown} refuses new calls.
   * Idempotent; thread-safe.
   */
  public void beginDrain() {
    state.markShuttingDown();
    health.enterTerminalState();
  }

  /**
   * Graceful shutdown: not ready at once ({@link #beginDrain}), stop following events, stop
   * accepting calls, let in-flight calls finish (up to {@code grace}), then drain and close
   * every model.
   */
  public void shutdown(long grace, TimeUnit unit) throws InterruptedException {
    beginDrain();
    guard.close();
    singletons.close();
    repositoryGrpc.close();
    idle.close();
    coordinator.close();
    shadows.close();
    drift.close();
    grpcServer.shutdown();
    if (!grpcServer.awaitTermination(grace, unit)) {
      log.warn("in-flight calls still running after {} {}; cancelling them", grace, unit);
      grpcServer.shutdownNow();
      grpcServer.awaitTermination(5, TimeUnit.SECONDS);
    }
    for (ServedModel m : router.all()) {
      router.remove(m);
      m.close();
    }
    for (AutoCloseable c : closeAfter) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("closing {} after the gRPC server failed", c, e);
      }
    }
  }

  @Override
  public void close() {
    try {
      shutdown(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
