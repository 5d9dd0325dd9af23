package io.mlserve.registry.grpc;

import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.drift.OutputPredictor;
import io.mlserve.drift.ReferenceComputer;
import io.mlserve.experiments.RunStore;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.store.EventFollower;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The admin gRPC services ready to add to any {@code ServerBuilder}: the
 * {@code mlserve.admin.v1.ModelRegistry} implementation, {@code mlserve.admin.v1.Datasets},
 * {@code Approvals} and {@code References} (drift reference profiles),
 * each with the {@link AdminAuth} interceptor applied. Add every one of {@link #services()}
 * with {@code addService}; {@link #service()} and {@link #bindable()} are the registry service
 * alone. Immutable; thread-safe.
 */
public final class AdminServices {
  /** Default upload limit: 2 GiB. */
  public static final long DEFAULT_MAX_ARTIFACT_BYTES = 2L << 30;
  /** How registrations are described when the registry validates with the server's engine. */
  public static final String ENGINE_VALIDATION =
      "engine (load, warm-up, health check and golden examples)";

  private final ServerServiceDefinition definition;
  private final ServerServiceDefinition datasets;
  private final ServerServiceDefinition approvals;
  private final ServerServiceDefinition references;

  private AdminServices(ServerServiceDefinition definition, ServerServiceDefinition datasets,
      ServerServiceDefinition approvals, ServerServiceDefinition references) {
    this.definition = definition;
    this.datasets = datasets;
    this.approvals = approvals;
    this.references = references;
  }

  /**
   * The service over {@code registry} (and its store and event log), with the engine
   * validation note and the default upload limit.
   *
   * @param adminTokenOrNull the token mutating calls need; null or blank: none
   */
  public static AdminServices create(ModelRegistry registry, ModelStore store, EventLog events,
      String adminTokenOrNull, Clock clock) {
    return create(registry, store, events, adminTokenOrNull, clock, DEFAULT_MAX_ARTIFACT_BYTES,
        ENGINE_VALIDATION);
  }

  /**
   * As {@link #create(ModelRegistry, ModelStore, EventLog, String, Clock)}, with an upload limit
   * and the note that tells operators how registrations were validated.
   */
  public static AdminServices create(ModelRegistry registry, ModelStore store, EventLog events,
      String adminTokenOrNull, Clock clock, long maxArtifactBytes, String validationNote) {
    return create(registry, store, events, adminTokenOrNull, clock, maxArtifactBytes,
        validationNote, DatasetLimits.defaults());
  }

  /** As above, with the limits datasets are added under. */
  public static AdminServices create(ModelRegistry registry, ModelStore store, EventLog events,
      String adminTokenOrNull, Clock clock, long maxArtifactBytes, String validationNote,
      DatasetLimits datasetLimits) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(validationNote, "validationNote");
    if (!store.root().equals(registry.store().root())) {
      throw new IllegalArgumentException("registry and store must be on the same directory");
    }
    RunStore runs = new RunStore(store, events, clock);
    DatasetStore datasetStore = new DatasetStore(registry, clock, datasetLimits);
    // Outputs of a reference profile come from the engine, where one is on the classpath.
    ReferenceComputer references = new ReferenceComputer(store, datasetStore, runs,
        OutputPredictor.fromClasspath().orElse(null), clock, ReferenceComputer.DEFAULT_MAX_ROWS);
    AdminGrpcService impl = new AdminGrpcService(registry, runs,
        new Uploads(registry, runs, references, maxArtifactBytes, validationNote),
        EventFollower.DEFAULT_POLL);
    AdminAuth auth = new AdminAuth(adminTokenOrNull);
    DatasetsGrpcService datasets = new DatasetsGrpcService(datasetStore);
    return new AdminServices(ServerInterceptors.intercept(impl, auth),
        ServerInterceptors.intercept(datasets, auth),
        ServerInterceptors.intercept(new ApprovalsGrpcService(registry), auth),
        ServerInterceptors.intercept(new ReferencesGrpcService(references), auth));
  }

  /** Every admin service definition, token check applied: add them all to a server. */
  public List<ServerServiceDefinition> services() {
    return List.of(definition, datasets, approvals, references);
  }

  /** The registry service definition, token check applied. */
  public ServerServiceDefinition service() {
    return definition;
  }

  /** The {@code mlserve.admin.v1.Approvals} service definition, token check applied. */
  public ServerServiceDefinition approvals() {
    return approvals;
  }

  /** The same, as a {@link BindableService}. */
  public BindableService bindable() {
    return () -> definition;
  }
}

