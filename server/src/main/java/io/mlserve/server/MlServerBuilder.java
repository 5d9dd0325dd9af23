package io.mlserve.server;

import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.alerts.AlertSettings;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.drift.DriftConfig;
import io.mlserve.server.evaluation.EvaluationRunner;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.triton.StreamInfer;
import io.mlserve.server.triton.shm.SharedMemoryRegistry;
import io.mlserve.store.ModelStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Options of an {@link MlServer}: what {@link MlServer#builder} starts and {@link #build} hands
 * to the server. Not thread-safe.
 */
public final class MlServerBuilder {
  final ServerBuilder<?> grpc;
  final ModelStore store;
  final ModelLoader loader;
  ModelRouter router = new ModelRouter();
  Ticker ticker = Ticker.system();
  Clock clock = Clock.systemUTC();
  ModelRegistry registry;
  Function<String, GuardPolicy> guardPolicies = m -> GuardPolicy.defaults();
  long guardCheckMillis = 1000;
  boolean followEvents = true;
  boolean checkFinite = true;
  SharedMemoryRegistry sharedMemory = SharedMemoryRegistry.disabled();
  Experiments experiments;
  long rolloutTickMillis;
  EvaluationRunner evaluations;
  AlertSettings alerts;
  DriftConfig drift = DriftConfig.defaults();
  String adminToken;
  StreamInfer streams = new StreamInfer(StreamInfer.DEFAULT_MAX_IN_FLIGHT);
  CompletableFuture<?> readyAfter =
      CompletableFuture.completedFuture(null);
  final List<BindableService> services = new ArrayList<>();
  final List<ServerServiceDefinition> adminDefinitions = new ArrayList<>();
  final List<ServerServiceDefinition> definitions = new ArrayList<>();
  final List<AutoCloseable> closeAfter = new ArrayList<>();

  MlServerBuilder(ServerBuilder<?> grpc, ModelStore store, ModelLoader loader) {
    this.grpc = Objects.requireNonNull(grpc, "grpc");
    this.store = Objects.requireNonNull(store, "store");
    this.loader = Objects.requireNonNull(loader, "loader");
  }

  public MlServerBuilder router(ModelRouter router) {
    this.router = Objects.requireNonNull(router, "router");
    return this;
  }

  public MlServerBuilder ticker(Ticker ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  public MlServerBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** The registry that records reload failures and rollbacks (none: only logged). */
  public MlServerBuilder registry(ModelRegistry registry) {
    this.registry = registry;
    return this;
  }

  /** The post-promotion guard's policy per model, and how often it checks (0: never). */
  public MlServerBuilder guard(Function<String, GuardPolicy> policies, long checkEveryMillis) {
    this.guardPolicies = Objects.requireNonNull(policies, "policies");
    this.guardCheckMillis = checkEveryMillis;
    return this;
  }

  /** Whether to follow the store's event log after start (default true). */
  public MlServerBuilder followEvents(boolean follow) {
    this.followEvents = follow;
    return this;
  }

  /**
   * Whether gRPC inference refuses NaN and infinite float inputs (default true; the REST
   * routes always do).
   */
  public MlServerBuilder checkFinite(boolean check) {
    this.checkFinite = check;
    return this;
  }

  /** System shared memory (default: disabled); register/unregister need {@link #adminToken}. */
  public MlServerBuilder sharedMemory(SharedMemoryRegistry registry) {
    this.sharedMemory = Objects.requireNonNull(registry, "registry");
    return this;
  }

  /**
   * Drive the store's running canary rollouts every {@code tickMillis} (0, the default: never;
   * a server that follows the store still serves their splits). With several servers on one
   * store, the one holding the store's rollout lease does.
   */
  public MlServerBuilder rollouts(long tickMillis) {
    this.rolloutTickMillis = tickMillis;
    return this;
  }

  /**
   * Runs the approval workflow with {@code runner} (a version reaching Staging under a policy
   * is evaluated and judged), on the rollout tick, on the server holding the store's approval
   * lease. Needs {@link #rollouts} > 0 and a registry.
   */
  public MlServerBuilder approvals(EvaluationRunner runner) {
    this.evaluations = Objects.requireNonNull(runner, "runner");
    return this;
  }

  /**
   * Evaluates {@code settings}' alert rules every interval (default: none, as
   * {@code --no-alerts}): see {@link AlertService}.
   */
  public MlServerBuilder alerts(AlertSettings settings) {
    this.alerts = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /** The token repository load/unload need (as the admin services; null, default: none). */
  public MlServerBuilder adminToken(String tokenOrNull) {
    this.adminToken = tokenOrNull;
    return this;
  }

  /** How ModelStreamInfer streams run (default: {@link StreamInfer#DEFAULT_MAX_IN_FLIGHT}). */
  public MlServerBuilder streams(StreamInfer streams) {
    this.streams = Objects.requireNonNull(streams, "streams");
    return this;
  }

  /**
   * Work of the caller's that the server answers requests during but reports ready only after
   * ({@code /readyz}, ServerReady, {@code grpc.health.v1}), however it ends: the demo writes
   * its datasets and drift references while its models already answer. Default: none.
   */
  public MlServerBuilder readyAfter(CompletableFuture<?> setup) {
    this.readyAfter = Objects.requireNonNull(setup, "setup");
    return this;
  }

  /** How live drift is sampled and compared (default {@link DriftConfig#defaults()}). */
  public MlServerBuilder drift(DriftConfig config) {
    this.drift = Objects.requireNonNull(config, "config");
    return this;
  }

  /** Where answers are recorded for A/B reports and feedback; default: the defaults'. */
  public MlServerBuilder experiments(Experiments experiments) {
    this.experiments = Objects.requireNonNull(experiments, "experiments");
    return this;
  }

  public MlServerBuilder service(BindableService service) {
    services.add(Objects.requireNonNull(service, "service"));
    return this;
  }

  public MlServerBuilder service(ServerServiceDefinition service) {
    definitions.add(Objects.requireNonNull(service, "service"));
    return this;
  }

  /**
   * An admin service whose successful changes of a model are answered once this server has
   * applied them ({@link ReadYourWrites}, at most {@link MlServer#APPLY_WAIT}).
   */
  public MlServerBuilder adminService(ServerServiceDefinition service) {
    adminDefinitions.add(Objects.requireNonNull(service, "service"));
    return this;
  }

  /**
   * Something of the gRPC transport to close once the server has terminated, e.g. the
   * {@link io.mlserve.server.netty.GrpcListener} whose builder was handed in.
   */
  public MlServerBuilder closeAfterShutdown(AutoCloseable resource) {
    closeAfter.add(Objects.requireNonNull(resource, "resource"));
    return this;
  }

  public MlServer build() {
    return new MlServer(this);
  }
}
