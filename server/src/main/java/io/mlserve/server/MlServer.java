package io.mlserve.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.mlserve.server.core.ServerState;
import io.mlserve.server.grpc.InferenceGrpcService;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.model.ModelLoadException;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference server: serves the Production version of every model in a store over gRPC
 * (Open Inference Protocol v2, {@code grpc.health.v1.Health}, server reflection v1 and v1alpha).
 *
 * <p>The gRPC transport comes in as a {@link ServerBuilder}, so tests hand in an in-process
 * builder and {@code main} a Netty one. The server binds first (live, not ready), loads and warms
 * the models, then reports ready. This class is thread-safe.
 */
public final class MlServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MlServer.class);

  private final ModelStore store;
  private final ModelLoader loader;
  private final ModelRouter router;
  private final ServerState state;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server grpcServer;

  public MlServer(
      ServerBuilder<?> grpcBuilder,
      ModelStore store,
      ModelLoader loader,
      ModelRouter router,
      Ticker ticker,
      List<BindableService> extraServices) {
    this.store = Objects.requireNonNull(store, "store");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.router = Objects.requireNonNull(router, "router");
    this.state = new ServerState(router);
    grpcBuilder
        .addService(new InferenceGrpcService(router, state, ticker, Version.get()))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(legacyReflection());
    extraServices.forEach(grpcBuilder::addService);
    this.grpcServer = grpcBuilder.build();
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
  }

  @SuppressWarnings("deprecation")
  private static BindableService legacyReflection() {
    return ProtoReflectionService.newInstance();
  }

  /**
   * Binds the gRPC port, loads every model that has a Production version, and marks the server
   * ready. A model that fails to load is logged and left out (the others serve).
   *
   * @return the versions that failed, with why
   */
  public List<String> start() throws IOException {
    grpcServer.start();
    List<String> failures = new ArrayList<>();
    for (String model : store.modelNames()) {
      Optional<String> prod = store.stageVersion(model, Stage.PRODUCTION);
      if (prod.isEmpty()) {
        log.info("{}: no Production version, not served", model);
        continue;
      }
      try {
        load(model, prod.get(), true);
      } catch (ModelLoadException | RuntimeException e) {
        log.error("{}:{} not served: {}", model, prod.get(), e.getMessage());
        failures.add(e.getMessage());
      }
    }
    state.markStarted();
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    return failures;
  }

  /** Loads a version and routes to it; the default version when {@code makeDefault}. */
  public ServedModel load(String model, String version, boolean makeDefault)
      throws ModelLoadException {
    Manifest manifest = store.manifest(model, version);
    ServedModel served = loader.load(store.versionDir(model, version), manifest);
    ServedModel previous = router.put(served, makeDefault);
    if (makeDefault) {
      health.setStatus(model, ServingStatus.SERVING);
    }
    if (previous != null && previous != served && !previous.version().equals(version)) {
      log.info("{}: default version now {} (was {})", model, version, previous.version());
    }
    return served;
  }

  /** The port gRPC is bound to (-1 for an in-process server). */
  public int grpcPort() {
    return grpcServer.getPort();
  }

  public ModelRouter router() {
    return router;
  }

  public ServerState state() {
    return state;
  }

  /** Blocks until the gRPC server terminates. */
  public void awaitTermination() throws InterruptedException {
    grpcServer.awaitTermination();
  }

  /**
   * Graceful shutdown: not ready at once, stop accepting calls, let in-flight calls finish (up
   * to {@code grace}), then drain and close every model.
   */
  public void shutdown(long grace, TimeUnit unit) throws InterruptedException {
    state.markShuttingDown();
    health.enterTerminalState();
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
