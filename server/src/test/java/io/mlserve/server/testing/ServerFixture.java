package io.mlserve.server.testing;

import io.mlserve.server.alerts.AlertSettings;
import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.MlServer;
import io.mlserve.server.MlServerBuilder;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.all.Engines;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real in-process mlserve over a temp store with the real DJL engine, for integration tests:
 * the registry writes, the server follows. Not thread-safe; one per test class.
 */
public final class ServerFixture implements AutoCloseable {
  public final ModelStore store;
  public final EventLog events;
  public final ModelRegistry registry;
  public final MetricsRegistry metrics = new MetricsRegistry();
  public final ModelRouter router = new ModelRouter(metrics);
  public final MlServer server;
  /** A channel to the server: in process, or (for {@link #loopback}) null until started. */
  public final ManagedChannel channel;

  public ServerFixture(Path dir, Function<String, GuardPolicy> guard, boolean followEvents)
      throws Exception {
    this(dir, guard, followEvents, InProcessServerBuilder.generateName(), 0, false);
  }

  /**
   * An in-process fixture that does NOT follow the event log but hosts the admin service
   * (no token) as the launcher does: the server applies a change made through it when the call
   * returns ({@code grpc.ReadYourWrites}), and nothing else applies it.
   */
  public static ServerFixture withAdminOnly(Path dir) throws Exception {
    return new ServerFixture(dir, m -> GuardPolicy.off(), false,
        InProcessServerBuilder.generateName(), 0, true);
  }

  /**
   * A fixture whose gRPC service listens on a free loopback port over Netty (HTTP/2 framing,
   * metadata on the wire); open a channel with {@link #loopbackChannel()} after
   * {@code server.start()}. {@link #channel} is null.
   */
  public static ServerFixture loopback(Path dir, boolean followEvents) throws Exception {
    return loopback(dir, followEvents, 0);
  }

  /**
   * As {@link #loopback(Path, boolean)}, with the server driving the store's canary rollouts
   * every {@code rolloutTickMillis} (as {@code bin/mlserve} does every 1000 ms) once started;
   * 0: never.
   */
  public static ServerFixture loopback(Path dir, boolean followEvents, long rolloutTickMillis)
      throws Exception {
    return new ServerFixture(dir, m -> GuardPolicy.off(), followEvents, null, rolloutTickMillis,
        false, null);
  }

  /**
   * A loopback fixture that follows the store, ticks every 200 ms and runs the approval
   * workflow with the evaluation runner {@code evaluations} makes over this fixture's registry
   * (called once, before the server is built; the caller closes the runner).
   */
  public static ServerFixture withApprovals(Path dir,
      Function<ModelRegistry, io.mlserve.server.evaluation.EvaluationRunner> evaluations)
      throws Exception {
    return new ServerFixture(dir, m -> GuardPolicy.off(), true, null, 200, false, evaluations);
  }

  /**
   * A loopback fixture that follows the store and evaluates {@code alerts}' rules (under the
   * store's alerts lease, appending to this fixture's event log) once started.
   */
  public static ServerFixture withAlerts(Path dir, AlertSettings alerts)
      throws Exception {
    return new ServerFixture(dir, m -> GuardPolicy.off(), true, null, 0, false, null, alerts);
  }

  private ServerFixture(Path dir, Function<String, GuardPolicy> guard, boolean followEvents,
      String inProcessName, long rolloutTickMillis, boolean admin) throws Exception {
    this(dir, guard, followEvents, inProcessName, rolloutTickMillis, admin, null);
  }

  private ServerFixture(Path dir, Function<String, GuardPolicy> guard, boolean followEvents,
      String inProcessName, long rolloutTickMillis, boolean admin,
      Function<ModelRegistry, io.mlserve.server.evaluation.EvaluationRunner> evaluations)
      throws Exception {
    this(dir, guard, followEvents, inProcessName, rolloutTickMillis, admin, evaluations, null);
  }

  private ServerFixture(Path dir, Function<String, GuardPolicy> guard, boolean followEvents,
      String inProcessName, long rolloutTickMillis, boolean admin,
      Function<ModelRegistry, io.mlserve.server.evaluation.EvaluationRunner> evaluations,
      AlertSettings alerts) throws Exception {
    store = ModelStore.open(dir);
    events = EventLog.open(store.root());
    registry = new ModelRegistry(store, events, ArtifactValidator.none(), Clock.systemUTC());
    ModelLoader loader = new ModelLoader(Engines.all(), Ticker.system(),
        Function.identity(), metrics, Telemetry.disabled());
    ServerBuilder<?> grpc = inProcessName != null
        ? InProcessServerBuilder.forName(inProcessName).directExecutor()
        : NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    MlServerBuilder b = MlServer.builder(grpc, store, loader)
        .router(router)
        .registry(registry)
        .guard(guard, 0)
        .followEvents(followEvents)
        .rollouts(rolloutTickMillis);
    if (evaluations != null) {
      b.approvals(evaluations.apply(registry));
    }
    if (alerts != null) {
      b.alerts(alerts);
    }
    if (admin) {
      b.adminService(io.mlserve.registry.grpc.AdminServices.create(registry, store, events, null,
          Clock.systemUTC()).service());
    }
    server = b.build();
    channel = inProcessName != null
        ? InProcessChannelBuilder.forName(inProcessName).directExecutor().build() : null;
  }

  /** A new plaintext channel to a started {@link #loopback} server; the caller closes it. */
  public ManagedChannel loopbackChannel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  /** Registers the demo model's artifact as {@code version} (no golden check when !golden). */
  public void registerDemo(String version, boolean golden) {
    RegisterRequest demo = RegisterRequest.fromManifestFile(
        DemoModel.dir().resolve("model.json"), "test");
    registry.register(new RegisterRequest(demo.model(), version, demo.artifact(), demo.format(),
        demo.signature(), demo.serving(), null, demo.params(), demo.metrics(),
        demo.description(), golden ? demo.examples() : null, "test"));
  }

  /** Registers another artifact under the demo model's signature. */
  public void registerArtifact(String version, Path artifact, Path examples) {
    RegisterRequest demo = RegisterRequest.fromManifestFile(
        DemoModel.dir().resolve("model.json"), "test");
    registry.register(new RegisterRequest(demo.model(), version, artifact, demo.format(),
        demo.signature(), demo.serving(), null, demo.params(), demo.metrics(),
        "fixture", examples, "test"));
  }

  @Override
  public void close() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    server.shutdown(10, TimeUnit.SECONDS);
    events.close();
  }
}
