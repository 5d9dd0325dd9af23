package io.mlserve.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.ServerState;
import io.mlserve.server.drift.DriftAlertSignals;
import io.mlserve.server.drift.DriftConfig;
import io.mlserve.server.drift.DriftMonitor;
import io.mlserve.server.experiment.ExperimentConfig;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.grpc.DriftGrpcService;
import io.mlserve.server.grpc.ExperimentsGrpcService;
import io.mlserve.server.grpc.InferenceGrpcService;
import io.mlserve.server.grpc.ReadYourWrites;
import io.mlserve.server.triton.shm.SharedMemoryGrpc;
import io.mlserve.server.triton.shm.SharedMemoryRegistry;
import io.mlserve.registry.grpc.AdminAuth;
import io.mlserve.server.model.IdleUnloader;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.reload.PromotionGuard;
import io.mlserve.server.reload.ReloadCoordinator;
import io.mlserve.server.alerts.AlertService;
import io.mlserve.server.alerts.AlertSettings;
import io.mlserve.server.alerts.ServedScopes;
import io.mlserve.server.grpc.AlertsGrpcService;
import io.mlserve.server.evaluation.EvaluationRunner;
import io.mlserve.server.serving.AnswerListener;
import io.mlserve.server.shadow.Shadows;
import io.mlserve.server.triton.RepositoryAuth;
import io.mlserve.server.triton.RepositoryGrpc;
import io.mlserve.server.triton.RepositoryService;
import io.mlserve.server.triton.StreamInfer;
import io.mlserve.server.usage.UsageCounts;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.serving.RequestIds;
import io.mlserve.store.ModelStore;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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

  private MlServer(Builder b) {
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
  public static Builder builder(ServerBuilder<?> grpc, ModelStore store, ModelLoader loader) {
    return new Builder(grpc, store, loader);
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

  /** Options of an {@link MlServer}; not thread-safe. */
  public static final class Builder {
    private final ServerBuilder<?> grpc;
    private final ModelStore store;
    private final ModelLoader loader;
    private ModelRouter router = new ModelRouter();
    private Ticker ticker = Ticker.system();
    private Clock clock = Clock.systemUTC();
    private ModelRegistry registry;
    private Function<String, GuardPolicy> guardPolicies = m -> GuardPolicy.defaults();
    private long guardCheckMillis = 1000;
    private boolean followEvents = true;
    private boolean checkFinite = true;
    private SharedMemoryRegistry sharedMemory = SharedMemoryRegistry.disabled();
    private Experiments experiments;
    private long rolloutTickMillis;
    private EvaluationRunner evaluations;
    private AlertSettings alerts;
    private DriftConfig drift = DriftConfig.defaults();
    private String adminToken;
    private StreamInfer streams = new StreamInfer(StreamInfer.DEFAULT_MAX_IN_FLIGHT);
    private CompletableFuture<?> readyAfter =
        CompletableFuture.completedFuture(null);
    private final List<BindableService> services = new ArrayList<>();
    private final List<ServerServiceDefinition> adminDefinitions = new ArrayList<>();
    private final List<ServerServiceDefinition> definitions = new ArrayList<>();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    private Builder(ServerBuilder<?> grpc, ModelStore store, ModelLoader loader) {
      this.grpc = Objects.requireNonNull(grpc, "grpc");
      this.store = Objects.requireNonNull(store, "store");
      this.loader = Objects.requireNonNull(loader, "loader");
    }

    public Builder router(ModelRouter router) {
      this.router = Objects.requireNonNull(router, "router");
      return this;
    }

    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The registry that records reload failures and rollbacks (none: only logged). */
    public Builder registry(ModelRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** The post-promotion guard's policy per model, and how often it checks (0: never). */
    public Builder guard(Function<String, GuardPolicy> policies, long checkEveryMillis) {
      this.guardPolicies = Objects.requireNonNull(policies, "policies");
      this.guardCheckMillis = checkEveryMillis;
      return this;
    }

    /** Whether to follow the store's event log after start (default true). */
    public Builder followEvents(boolean follow) {
      this.followEvents = follow;
      return this;
    }

    /**
     * Whether gRPC inference refuses NaN and infinite float inputs (default true; the REST
     * routes always do).
     */
    public Builder checkFinite(boolean check) {
      this.checkFinite = check;
      return this;
    }

    /** System shared memory (default: disabled); register/unregister need {@link #adminToken}. */
    public Builder sharedMemory(SharedMemoryRegistry registry) {
      this.sharedMemory = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Drive the store's running canary rollouts every {@code tickMillis} (0, the default: never;
     * a server that follows the store still serves their splits). With several servers on one
     * store, the one holding the store's rollout lease does.
     */
    public Builder rollouts(long tickMillis) {
      this.rolloutTickMillis = tickMillis;
      return this;
    }

    /**
     * Runs the approval workflow with {@code runner} (a version reaching Staging under a policy
     * is evaluated and judged), on the rollout tick, on the server holding the store's approval
     * lease. Needs {@link #rollouts} > 0 and a registry.
     */
    public Builder approvals(EvaluationRunner runner) {
      this.evaluations = Objects.requireNonNull(runner, "runner");
      return this;
    }

    /**
     * Evaluates {@code settings}' alert rules every interval (default: none, as
     * {@code --no-alerts}): see {@link AlertService}.
     */
    public Builder alerts(AlertSettings settings) {
      this.alerts = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** The token repository load/unload need (as the admin services; null, default: none). */
    public Builder adminToken(String tokenOrNull) {
      this.adminToken = tokenOrNull;
      return this;
    }

    /** How ModelStreamInfer streams run (default: {@link StreamInfer#DEFAULT_MAX_IN_FLIGHT}). */
    public Builder streams(StreamInfer streams) {
      this.streams = Objects.requireNonNull(streams, "streams");
      return this;
    }

    /**
     * Work of the caller's that the server answers requests during but reports ready only after
     * ({@code /readyz}, ServerReady, {@code grpc.health.v1}), however it ends: the demo writes
     * its datasets and drift references while its models already answer. Default: none.
     */
    public Builder readyAfter(CompletableFuture<?> setup) {
      this.readyAfter = Objects.requireNonNull(setup, "setup");
      return this;
    }

    /** How live drift is sampled and compared (default {@link DriftConfig#defaults()}). */
    public Builder drift(DriftConfig config) {
      this.drift = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Where answers are recorded for A/B reports and feedback; default: the defaults'. */
    public Builder experiments(Experiments experiments) {
      this.experiments = Objects.requireNonNull(experiments, "experiments");
      return this;
    }

    public Builder service(BindableService service) {
      services.add(Objects.requireNonNull(service, "service"));
      return this;
    }

    public Builder service(ServerServiceDefinition service) {
      definitions.add(Objects.requireNonNull(service, "service"));
      return this;
    }

    /**
     * An admin service whose successful changes of a model are answered once this server has
     * applied them ({@link ReadYourWrites}, at most {@link MlServer#APPLY_WAIT}).
     */
    public Builder adminService(ServerServiceDefinition service) {
      adminDefinitions.add(Objects.requireNonNull(service, "service"));
      return this;
    }

    /**
     * Something of the gRPC transport to close once the server has terminated, e.g. the
     * {@link io.mlserve.server.netty.GrpcListener} whose builder was handed in.
     */
    public Builder closeAfterShutdown(AutoCloseable resource) {
      closeAfter.add(Objects.requireNonNull(resource, "resource"));
      return this;
    }

    public MlServer build() {
      return new MlServer(this);
    }
  }
}
