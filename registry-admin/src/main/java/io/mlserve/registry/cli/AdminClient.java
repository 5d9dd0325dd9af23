package io.mlserve.registry.cli;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.proto.admin.v1.DatasetsGrpc;
import io.mlserve.proto.admin.v1.ApprovalsGrpc;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.grpc.AdminAuth;
import io.mlserve.registry.grpc.AdminServices;
import io.mlserve.registry.grpc.EngineServices;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The small Java client of the admin API, for mlctl and for training code: a channel to a
 * running server ({@link #connect}) or to the admin service run in this process over a store
 * directory ({@link #local}: no server, no network; registrations are validated by the engine
 * found on the classpath, else by the basic checks, see {@link ArtifactValidator#fromClasspath}).
 * Sends the token and the actor as metadata on every call. Close it when done. Thread-safe.
 */
public final class AdminClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final Channel intercepted;
  private final Server localServer;
  private final EventLog localEvents;
  private final EngineServices.Bound localEngine;

  private AdminClient(ManagedChannel channel, String token, String actor, Server localServer,
      EventLog localEvents, EngineServices.Bound localEngine) {
    this.channel = channel;
    this.intercepted = ClientInterceptors.intercept(channel, headers(token, actor));
    this.localServer = localServer;
    this.localEvents = localEvents;
    this.localEngine = localEngine;
  }

  /** A client of the server at {@code host:port} (plaintext). */
  public static AdminClient connect(String target, String token, String actor) {
    return new AdminClient(Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
        .build(), token, actor, null, null, null);
  }

  /** A client of the admin service run in this process on the store at {@code root}. */
  public static AdminClient local(Path root, String actor) throws IOException {
    return local(root, actor, DatasetLimits.defaults());
  }

  /** As {@link #local(Path, String)}, adding datasets under {@code datasetLimits}. */
  public static AdminClient local(Path root, String actor, DatasetLimits datasetLimits)
      throws IOException {
    ModelStore store = ModelStore.open(root);
    EventLog events = EventLog.open(root);
    ArtifactValidator validator = ArtifactValidator.fromClasspath();
    ModelRegistry registry = new ModelRegistry(store, events, validator, Clock.systemUTC());
    String name = "mlctl-" + UUID.randomUUID();
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
    AdminServices.create(registry, store, events, null, Clock.systemUTC(),
        AdminServices.DEFAULT_MAX_ARTIFACT_BYTES, validator.description(), datasetLimits)
        .services().forEach(builder::addService);
    // Services that need the engine (evaluation), when mlctl runs on the server's classpath.
    EngineServices.Bound engine = EngineServices.fromClasspath()
        .map(p -> p.bind(registry, Clock.systemUTC())).orElse(null);
    if (engine != null) {
      engine.services().forEach(builder::addService);
    }
    Server server = builder.build().start();
    return new AdminClient(InProcessChannelBuilder.forName(name).build(), null, actor, server,
        events, engine);
  }

  /** The channel to the server (token and actor sent), for the stubs of other services. */
  public Channel channel() {
    return intercepted;
  }

  /** Whether this is a client of the admin service run in this process ({@link #local}). */
  public boolean isLocal() {
    return localServer != null;
  }

  public ModelRegistryGrpc.ModelRegistryBlockingStub blocking() {
    return ModelRegistryGrpc.newBlockingStub(intercepted);
  }

  /** The {@code mlserve.admin.v1.Approvals} service (policies and approvals). */
  public ApprovalsGrpc.ApprovalsBlockingStub approvals() {
    return ApprovalsGrpc.newBlockingStub(intercepted);
  }

  public ModelRegistryGrpc.ModelRegistryStub async() {
    return ModelRegistryGrpc.newStub(intercepted);
  }

  public DatasetsGrpc.DatasetsBlockingStub datasets() {
    return DatasetsGrpc.newBlockingStub(intercepted);
  }

  public DatasetsGrpc.DatasetsStub datasetsAsync() {
    return DatasetsGrpc.newStub(intercepted);
  }

  private static ClientInterceptor headers(String token, String actor) {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<RespT> listener, Metadata md) {
            if (token != null && !token.isBlank()) {
              md.put(AdminAuth.AUTHORIZATION, "Bearer " + token.trim());
            }
            if (actor != null && !actor.isBlank()) {
              md.put(AdminAuth.ACTOR, actor);
            }
            super.start(listener, md);
          }
        };
      }
    };
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
      if (localServer != null) {
        localServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (localEngine != null) {
      localEngine.close();
    }
    if (localEvents != null) {
      localEvents.close();
    }
  }
}
