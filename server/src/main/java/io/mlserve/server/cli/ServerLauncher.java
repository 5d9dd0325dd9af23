package io.mlserve.server.cli;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mlserve.server.MlServer;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.PrometheusText;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.netty.EventLoops;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import java.util.concurrent.atomic.AtomicReference;
import io.mlserve.server.Version;
import io.mlserve.server.http.HttpGateway;
import io.mlserve.server.http.HttpOptions;
import java.util.function.Function;

/**
 * Wires the production server (Netty transport, DJL engine, system ticker) from command-line
 * options, starts it, prints the bound ports and waits for Ctrl-C. Not thread-safe; used once
 * from {@code main}.
 */
final class ServerLauncher {
  private final ServeOptions options;

  ServerLauncher(ServeOptions options) {
    this.options = options;
  }

  /**
   * Runs until the JVM is asked to stop.
   *
   * @param exampleCall printed after the ports when not null (the demo's ready-to-paste call)
   * @return the exit code
   */
  int run(Path storeDir, String exampleCall) throws Exception {
    if (!options.validOrReport()) {
      return 2;
    }
    configureTorch();
    ModelStore store = ModelStore.open(storeDir);
    MetricsRegistry metrics = new MetricsRegistry();
    Telemetry telemetry = Telemetry.fromEnvironment(System.getenv());
    telemetry.observe(metrics);
    ModelRouter router = new ModelRouter(metrics);
    ModelLoader loader =
        new ModelLoader(List.of(new DjlEngine()), Ticker.system(), options::applyTo, metrics,
            telemetry, EventLoops::current);
    // Inference handlers never block, so they run on the transport threads (direct executor).
    // Admin calls write files and may load a model to validate it: they get threads of their
    // own, so a registration never stalls inference on the same event loop.
    ExecutorService adminExecutor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "mlserve-admin");
      t.setDaemon(true);
      return t;
    });
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(options.bind, options.grpcPort))
            .callExecutor(new ServerCallExecutorSupplier() {
              @Override
              public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call,
                  Metadata headers) {
                return call.getMethodDescriptor().getServiceName()
                    .equals(ModelRegistryGrpc.SERVICE_NAME) ? adminExecutor : null;
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
    ModelLoader validationLoader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    ModelRegistry registry = new ModelRegistry(store, events,
        new EngineArtifactValidator(validationLoader), Clock.systemUTC());
    String adminToken = System.getenv("MLSERVE_ADMIN_TOKEN");
    AdminServices admin = AdminServices.create(registry, store, events,
        adminToken == null || adminToken.isBlank() ? null : adminToken, Clock.systemUTC());
    MlServer server = MlServer.builder(builder, store, loader)
        .router(router)
        .registry(registry)
        .service(admin.service())
        .guard(m -> guardPolicy(), 1000)
        .build();
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<HttpGateway> httpRef = new AtomicReference<>();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("mlserve: shutting down (finishing in-flight requests)");
                  try {
                    HttpGateway h = httpRef.get();
                    if (h != null) {
                      h.close();
                    }
                    server.shutdown(options.shutdownGraceSeconds, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  telemetry.close();
                  events.close();
                  System.out.println("mlserve: stopped");
                  stopped.countDown();
                },
                "mlserve-shutdown"));
    HttpGateway http = HttpGateway.builder(server.router(), server.state(), Ticker.system())
        .options(HttpOptions.builder()
            .bind(options.bind)
            .port(options.httpPort)
            .maxBodyBytes(options.maxMessageBytes)
            .build())
        .metrics(new PrometheusText(metrics, server.state()::ready, () -> modelStates(server))
            ::render)
        .admin(registry, server.coordinator()::statuses,
            adminToken == null || adminToken.isBlank() ? null : adminToken)
        .stageResolver(model -> {
          var staging = server.router().staging(model);
          return staging == null ? null : staging.version();
        })
        .serverVersion(Version.get())
        .build();
    httpRef.set(http);
    int httpPort = http.start();
    List<String> failures = server.start();
    System.out.println("mlserve: store " + storeDir.toAbsolutePath());
    System.out.println("mlserve: serving " + router.modelNames().size() + " model(s): "
        + describe(router));
    failures.forEach(f -> System.out.println("mlserve: NOT serving: " + f));
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
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("OPT_OUT_TRACKING", "true");
    // The engine-wide default; each batcher worker sets its own count (threads_per_instance).
    setIfAbsent("ai.djl.pytorch.num_threads",
        String.valueOf(options.torchThreads != null ? options.torchThreads : 1));
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
