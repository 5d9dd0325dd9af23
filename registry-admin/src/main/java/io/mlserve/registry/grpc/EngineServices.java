package io.mlserve.registry.grpc;

import io.grpc.ServerServiceDefinition;
import io.mlserve.registry.ModelRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Admin gRPC services that need an inference engine (offline evaluation runs versions through
 * it), which this module does not have: the server provides them through {@link ServiceLoader}
 * (a {@code META-INF/services/io.mlserve.registry.grpc.EngineServices} entry naming a public
 * class with a public no-argument constructor), so that {@code mlctl --store} run on the
 * server's classpath ({@code bin/mlctl}) serves them in-process over the store, as a server
 * does. Implementations must be thread-safe.
 */
public interface EngineServices {
  /**
   * The services over {@code registry}'s store, with no token (a local store is the caller's
   * own). Closing the result stops what they started (threads, loaded instances).
   */
  Bound bind(ModelRegistry registry, Clock clock);

  /** Services bound to one store, and what closes them. */
  interface Bound extends AutoCloseable {
    List<ServerServiceDefinition> services();

    @Override
    void close();
  }

  /** The provider on the classpath, if any (the server's). */
  static Optional<EngineServices> fromClasspath() {
    return ServiceLoader.load(EngineServices.class).findFirst();
  }
}
