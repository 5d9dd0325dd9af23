package io.mlserve.server.testing;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.MlServer;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
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
  public final ManagedChannel channel;

  public ServerFixture(Path dir, Function<String, GuardPolicy> guard, boolean followEvents)
      throws Exception {
    store = ModelStore.open(dir);
    events = EventLog.open(store.root());
    registry = new ModelRegistry(store, events, ArtifactValidator.none(), Clock.systemUTC());
    ModelLoader loader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
        Function.identity(), metrics, Telemetry.disabled());
    String name = InProcessServerBuilder.generateName();
    server = MlServer.builder(InProcessServerBuilder.forName(name).directExecutor(), store, loader)
        .router(router)
        .registry(registry)
        .guard(guard, 0)
        .followEvents(followEvents)
        .build();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
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
    channel.shutdownNow();
    server.shutdown(10, TimeUnit.SECONDS);
    events.close();
  }
}
