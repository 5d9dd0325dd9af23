package io.mlserve.server.cli;

import io.mlserve.errors.ClientText;
import io.mlserve.server.alerts.AlertSettings;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mlserve.server.MlServer;
import io.mlserve.server.MlServerBuilder;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.alerts.DjlGpuProbe;
import io.mlserve.server.alerts.ResourceMetricsText;
import io.mlserve.server.alerts.ResourceUsage;
import io.mlserve.server.metrics.ExperimentMetricsText;
import io.mlserve.server.metrics.PrometheusText;
import io.mlserve.server.shadow.ShadowMetricsText;
import io.mlserve.server.drift.DriftMetricsText;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.all.Engines;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.netty.ConnectionLimits;
import io.mlserve.server.netty.EventLoops;
import io.mlserve.server.netty.GrpcListener;
import io.mlserve.server.netty.ListenerStats;
import io.mlserve.store.ModelStore;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.grpc.AdminServices;
import io.mlserve.server.model.EngineArtifactValidator;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.store.EventLog;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.proto.admin.v1.DatasetsGrpc;
import io.mlserve.proto.admin.v1.EvaluationsGrpc;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import io.mlserve.proto.admin.v1.ReferencesGrpc;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.server.evaluation.EvaluationRunner;
import io.mlserve.server.grpc.EvaluationsGrpcService;
import java.util.concurrent.atomic.AtomicReference;
import io.mlserve.server.Version;
import io.mlserve.server.history.MetricsHistory;
import io.mlserve.server.http.HttpGateway;
import io.mlserve.server.http.HttpOptions;
import io.mlserve.server.triton.shm.SharedMemoryRegistry;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Wires the production server (Netty transport, DJL engine, system ticker) from command-line
 * options, starts it, prints the bound ports and waits for Ctrl-C. A port that cannot be bound
 * (in use, or not allowed) is reported by number with the flag that sets it, and the run
 * returns exit code 1 after closing what it had opened. Not thread-safe; used once from
 * {@code main}.
 */
final class ServerLauncher {
  private final ServeOptions options;
  private final ExitActions exit;

  /**
   * @param exit where the graceful stop is registered, so that it runs on SIGTERM/Ctrl-C before
   *     anything the caller registered earlier (the demo's temporary store is removed after the
   *     server has stopped writing to it)
   */
  ServerLauncher(ServeOptions options, ExitActions exit) {
    this.options = options;
    this.exit = exit;
  }

  /**
   * Runs until the JVM is asked to stop.
   *
   * @param exampleCall printed after the ports when not null (the demo's ready-to-paste call)
   * @return the exit code: 0 after a graceful stop, 1 when a port cannot be bound, 2 for a bad
   *     flag
   */
  int run(Path storeDir, String exampleCall) throws Exception {
    return run(storeDir, exampleCall, null);
  }

  /** Work a command does while its server already answers, before it reports ready. */
  interface Setup {
    void run() throws Exception;
  }

  /**
   * As {@link #run(Path, String)}, and runs {@code setupOrNull} once the server answers (models
   * loaded and warmed); the server reports ready (the ready line, {@code /readyz}, health) only
   * after it, however it ends. A failed set-up is reported on stderr and the server serves on.
   */
  int run(Path storeDir, String exampleCall, Setup setupOrNull) throws Exception {
    return run(storeDir, exampleCall, CompletableFuture.completedFuture(null), setupOrNull);
  }

  /**
   * As {@link #run(Path, String, Setup)} over a store that another thread is still filling:
   * the server wires itself and binds HTTP beside that work (answering, not ready, that no
   * model is served yet), and binds gRPC and loads the store's versions only once
   * {@code storeFilled} completes. When it fails, what was opened is closed and its failure is
   * thrown.
   */
  int run(Path storeDir, String exampleCall, CompletableFuture<?> storeFilled,
      Setup setupOrNull) throws Exception {
    if (!options.validOrReport()) {
      return 2;
    }
    configureTorch();
    ModelStore store = ModelStore.open(storeDir);
    // The engines the first loads need start beside the wiring below (see EnginePreload).
    EnginePreload.start(Engines.all(), EnginePreload.servedFormats(store));
    MetricsRegistry metrics = new MetricsRegistry();
    Telemetry telemetry = Telemetry.fromEnvironment(System.getenv());
    telemetry.observe(metrics);
    ModelRouter router = new ModelRouter(metrics);
    ModelLoader loader =
        new ModelLoader(Engines.all(), Ticker.system(), options::applyTo, metrics,
            telemetry, EventLoops::current, options.scalingWindows());
    // Inference handlers never block, so they run on the transport threads (direct executor).
    // Admin calls write files and may load a model to validate it: they get threads of their
    // own, so a registration never stalls inference on the same event loop.
    ExecutorService adminExecutor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "mlserve-admin");
      t.setDaemon(true);
      return t;
    });
    ConnectionLimits limits = options.connectionLimits();
    ListenerStats grpcStats = new ListenerStats("grpc", limits.maxConnections());
    ListenerStats httpStats = new ListenerStats("http", limits.maxConnections());
    GrpcListener grpcListener = GrpcListener.create(
        new InetSocketAddress(options.bind, options.grpcPort), limits, grpcStats);
    NettyServerBuilder builder = grpcListener.builder()
            .callExecutor(new ServerCallExecutorSupplier() {
              @Override
              public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call,
                  Metadata headers) {
                String service = call.getMethodDescriptor().getServiceName();
                return service.equals(ModelRegistryGrpc.SERVICE_NAME)
                    || service.equals(DatasetsGrpc.SERVICE_NAME)
                    || service.equals(EvaluationsGrpc.SERVICE_NAME)
                    || service.equals(ReferencesGrpc.SERVICE_NAME) ? adminExecutor : null;
              }
            })
            .maxInboundMessageSize(options.maxMessageBytes);
    if (options.grpcThreads > 0) {
      builder.executor(Executors.newFixedThreadPool(options.grpcThreads, r -> {
        Thread t = new Thread(r, "mlserve-grpc");
        t.setDaemon(true);
        return t;
      }));
    } else {
      builder.directExecutor();
    }
    EventLog events = EventLog.open(store.root());
    ModelLoader validationLoader = new ModelLoader(Engines.all(), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    ModelRegistry registry = new ModelRegistry(store, events,
        new EngineArtifactValidator(validationLoader), Clock.systemUTC());
    String adminToken = System.getenv("MLSERVE_ADMIN_TOKEN");
    AdminServices admin = AdminServices.create(registry, store, events,
        adminToken == null || adminToken.isBlank() ? null : adminToken, Clock.systemUTC(),
        AdminServices.DEFAULT_MAX_ARTIFACT_BYTES, AdminServices.ENGINE_VALIDATION,
        DatasetLimits.defaults().withMaxBytes(options.maxDatasetBytes));
    // Offline evaluation: its own background instances (ModelLoader.loadBackground), one at a
    // time, on the runner's threads.
    EvaluationRunner evaluations = new EvaluationRunner(registry,
        new DatasetStore(registry, Clock.systemUTC(),
            DatasetLimits.defaults().withMaxBytes(options.maxDatasetBytes)), loader,
        Clock.systemUTC(), Ticker.system(), Duration.ofSeconds(options.evaluationTimeLimitSeconds),
        EvaluationRunner.DEFAULT_MAX_QUEUED);
    MlServerBuilder serverBuilder = MlServer.builder(builder, store, loader);
    CompletableFuture<Void> setupDone = new CompletableFuture<>();
    serverBuilder.readyAfter(setupDone);
    String token = adminToken == null || adminToken.isBlank() ? null : adminToken;
    SharedMemoryRegistry sharedMemory = options.sharedMemory.registry(token != null);
    serverBuilder.sharedMemory(sharedMemory).closeAfterShutdown(sharedMemory);
    // GPU memory only for the devices the served models name (no CUDA call without one).
    ResourceUsage resources = ResourceUsage.system(new DjlGpuProbe(() -> router.all().stream()
        .map(m -> m.manifest().serving().device()).toList()));
    AtomicReference<String> externalUrl = new AtomicReference<>("");
    if (options.alertConfig() != null) {
      serverBuilder.alerts(new AlertSettings(options.alertConfig(), options.alertInterval(),
          resources, externalUrl::get));
    }
    admin.services().forEach(serverBuilder::adminService);
    MlServer server = serverBuilder
        .router(router)
        .registry(registry)
        .adminService(EvaluationsGrpcService.definition(evaluations,
            adminToken == null || adminToken.isBlank() ? null : adminToken))
        .closeAfterShutdown(evaluations)
        .approvals(evaluations)
        .guard(m -> guardPolicy(), 1000)
        .closeAfterShutdown(grpcListener)
        .checkFinite(options.checkFinite)
        .adminToken(adminToken == null || adminToken.isBlank() ? null : adminToken)
        .rollouts(1000)
        .drift(options.drift.config())
        .experiments(new Experiments(options.experimentConfig(), Ticker.system(),
            java.time.Clock.systemUTC()))
        .build();
    // The dashboard's metrics: sampled once a second on a thread of their own.
    MetricsHistory history = new MetricsHistory(metrics, store.root(), options.historyLimits(),
        Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<HttpGateway> httpRef = new AtomicReference<>();
    ExitActions.Registration stop = exit.add(() -> {
      System.out.println("mlserve: shutting down (finishing in-flight requests)");
      try {
        if (options.drainDelaySeconds > 0) {
          server.beginDrain();
          System.out.println("mlserve: not ready; serving " + options.drainDelaySeconds
              + " s more while load balancers take this replica out (--drain-delay-seconds)");
          TimeUnit.SECONDS.sleep(options.drainDelaySeconds);
        }
        HttpGateway h = httpRef.get();
        if (h != null) {
          h.close();
        }
        server.shutdown(options.shutdownGraceSeconds, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      history.close(); // writes the open buckets
      telemetry.close();
      events.close();
      System.out.println("mlserve: stopped");
      stopped.countDown();
    });
    HttpGateway http = HttpGateway.builder(server.inference(), server.state())
        .experiments(server.experiments())
        .shadows(server.shadows())
        .metricsHistory(history)
        .alerts(server::alertReport)
        .drift(server.drift())
        .usage(server.usage())
        .options(HttpOptions.builder()
            .bind(options.bind)
            .port(options.httpPort)
            .maxBodyBytes(options.maxMessageBytes)
            .connectionLimits(limits)
            .build())
        .stats(httpStats)
        .metrics(prometheus(new PrometheusText(metrics, server.state()::ready,
            () -> modelStates(server)), new ExperimentMetricsText(server.experiments()),
            new ShadowMetricsText(server.shadows()), new DriftMetricsText(server.drift()),
            List.of(httpStats, grpcStats),
            () -> new ResourceMetricsText(resources).render() + server.alertMetricsText()))
        .admin(registry, server.coordinator()::statuses,
            adminToken == null || adminToken.isBlank() ? null : adminToken)
        .evaluations(evaluations)
        .repository(server.repository())
        .appliedBy(server::awaitApplied)
        .sharedMemory(sharedMemory, token)
        .serverVersion(Version.get())
        .build();
    httpRef.set(http);
    int httpPort;
    List<String> failures;
    Setup closeUnserved = () -> {
      // Nothing has been served: stop quietly (no "shutting down" lines).
      stop.cancel();
      http.close();
      server.shutdown(0, TimeUnit.SECONDS);
      history.close();
      telemetry.close();
      events.close();
    };
    try {
      httpPort = bindOrExplain(http::start, "HTTP", options.httpPort);
      awaitFilled(storeFilled);
      failures = bindOrExplain(server::start, "gRPC", options.grpcPort);
    } catch (PortUnavailable e) {
      // The store's filling ends first: nothing writes to it once this returns.
      storeFilled.handle((done, failed) -> null).join();
      closeUnserved.run();
      System.err.println(e.getMessage());
      return 1;
    } catch (StoreNotFilled e) {
      closeUnserved.run();
      throw e.failure;
    }
    history.start();
    try {
      if (setupOrNull != null) {
        setupOrNull.run();
      }
    } catch (Exception e) {
      System.err.println("mlserve: " + ClientText.scrub(e.getMessage(), "set-up failed")
          + " (serving on)");
    } finally {
      setupDone.complete(null);
    }
    externalUrl.set("http://" + advertisedHost() + ":" + httpPort);
    System.out.println("mlserve: store " + storeDir.toAbsolutePath());
    System.out.println("mlserve: serving " + router.modelNames().size() + " model(s): "
        + describe(router));
    if (router.modelNames().isEmpty()) {
      System.out.println("mlserve: WARNING: the store has no model with a Production version;"
          + " every inference call answers NOT_FOUND until one is registered and promoted");
    }
    failures.forEach(f -> System.out.println("mlserve: NOT serving: " + f));
    System.out.println("mlserve: system shared memory " + (sharedMemory.enabled() ? "on"
        : "off (--system-shared-memory turns it on)"));
    System.out.println("mlserve: gRPC listening on " + options.bind + ":" + server.grpcPort());
    System.out.println("mlserve: HTTP listening on " + options.bind + ":" + httpPort
        + " (/api/v1/predict, /api/v1/models, /v2/..., /metrics, /healthz, /readyz)");
    if (exampleCall != null) {
      System.out.println(exampleCall.replace("{grpc_port}", String.valueOf(server.grpcPort()))
          .replace("{http_port}", String.valueOf(httpPort)));
    }
    System.out.println("mlserve: ready grpc_port=" + server.grpcPort() + " http_port=" + httpPort);
    System.out.flush();
    server.awaitTermination();
    stopped.await();
    return 0;
  }

  private static Supplier<String> prometheus(PrometheusText text,
      ExperimentMetricsText experiments, ShadowMetricsText shadows, DriftMetricsText drift,
      List<ListenerStats> listeners, Supplier<String> more) {
    return () -> text.render() + experiments.render() + shadows.render() + drift.render()
        + ListenerStats.prometheus(listeners) + more.get();
  }

  /** Waits for {@code storeFilled}; its failure as {@link StoreNotFilled}. */
  private static void awaitFilled(CompletableFuture<?> storeFilled)
      throws StoreNotFilled, InterruptedException {
    try {
      storeFilled.get();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw new StoreNotFilled(
          cause instanceof Exception ex ? ex : new IllegalStateException(cause));
    }
  }

  /** The store's filling failed with {@link #failure}. */
  private static final class StoreNotFilled extends Exception {
    final Exception failure;

    StoreNotFilled(Exception failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }

  /** A step that binds a port. */
  private interface Binding<T> {
    T bind() throws Exception;
  }

  /** A port that could not be bound, with the message for the user. */
  private static final class PortUnavailable extends Exception {
    PortUnavailable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Runs {@code binding}; a failure to bind becomes {@link PortUnavailable} naming the port and
   * the flags (Netty reports it as a BindException, or as its native IOException saying
   * "bind(..) failed: Address already in use"); any other failure is rethrown.
   */
  private <T> T bindOrExplain(Binding<T> binding, String what, int port) throws Exception {
    try {
      return binding.bind();
    } catch (Exception e) {
      String reason = bindFailure(e);
      if (reason == null) {
        throw e;
      }
      String where = options.bind + ":" + port + " (" + what + ")";
      throw new PortUnavailable(reason.contains("in use")
          ? "mlserve: port " + port + " is in use (" + what + " on " + options.bind + "); pass"
              + " --grpc-port/--http-port (0 picks a free port)"
          : "mlserve: cannot listen on " + where + ": " + reason + "; pass --bind,"
              + " --grpc-port/--http-port (0 picks a free port)");
    }
  }

  /** The OS's reason when {@code e} or a cause is a failed bind, else null. */
  static String bindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage() == null ? "" : t.getMessage();
      if (m.contains("Address already in use")) {
        return "address already in use";
      }
      if (t instanceof java.net.BindException || m.startsWith("bind(")) {
        return m.replaceFirst("^bind\\(\\.\\.\\) failed: ", "");
      }
    }
    return null;
  }

  /** The host name webhook bodies link back to: the bind address, or this host's name. */
  private String advertisedHost() {
    if (!options.bind.equals("0.0.0.0") && !options.bind.equals("::")) {
      return options.bind.contains(":") ? "[" + options.bind + "]" : options.bind;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  private static Map<String, String> modelStates(MlServer server) {
    Map<String, String> states = new TreeMap<>();
    server.coordinator().statuses().forEach((model, s) -> states.put(model, s.state()));
    return states;
  }

  private GuardPolicy guardPolicy() {
    if (options.guardWindowSeconds <= 0) {
      return GuardPolicy.off();
    }
    return new GuardPolicy(Duration.ofSeconds(options.guardWindowSeconds),
        options.guardMaxErrorRate, Duration.ofMillis(options.guardMaxP95Millis),
        options.guardMinRequests);
  }

  private static String describe(ModelRouter router) {
    StringBuilder sb = new StringBuilder();
    for (String name : router.modelNames()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      var prod = router.defaultVersion(name);
      var staging = router.staging(name);
      sb.append(name).append(' ').append(prod == null ? "-" : prod.version());
      if (staging != null) {
        sb.append(" (Staging ").append(staging.version()).append(')');
      }
    }
    return sb.toString();
  }

  private void configureTorch() {
    // The engine-wide default; each batcher worker sets its own count (threads_per_instance).
    EngineProperties.setDefaults(options.torchThreads != null ? options.torchThreads : 1);
  }
}
