package io.mlserve.server.triton;

import io.mlserve.registry.IllegalTransitionException;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.model.ArmTable;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.reload.ModelStatus;
import io.mlserve.server.reload.ReloadCoordinator;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Stage;
import io.mlserve.store.VersionStages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Triton's model repository extension over the registry: what {@code RepositoryIndex},
 * {@code RepositoryModelLoad} and {@code RepositoryModelUnload} (and their REST routes) mean on a
 * server whose repository is a model store with stages. Transport-free.
 *
 * <ul>
 *   <li><b>index</b>: every registered version of every model, {@code READY} when loaded here,
 *       {@code LOADING} while the reload path loads it, else {@code UNAVAILABLE} with the reason
 *       (its stage, a failed load's message);
 *   <li><b>load</b>: makes a version served through the reload path. Without a version, or naming
 *       the Production or Staging version, the model is reconciled with its stage pointers (a
 *       version already loaded stays as it is: versions are immutable). A Deprecated version is
 *       loaded as the on-demand path loads it (requests must name it; at most
 *       {@link ReloadCoordinator#ON_DEMAND_PER_MODEL} stay loaded per model). Development and
 *       Archived versions are refused (FAILED_PRECONDITION) saying how to serve them;
 *   <li><b>unload</b>: stops serving a loaded version that neither a stage pointer nor a traffic
 *       split holds; the Production and Staging versions and split arms are refused
 *       (FAILED_PRECONDITION) with the registry change that would release them. Without a
 *       version, every such loaded version goes, unless the model has one the registry holds.
 * </ul>
 *
 * <p>Load and unload change only this server (as the on-demand path does); the registry is the
 * shared truth, and a Deprecated version unloaded here loads again when a request names it.
 *
 * <p>Calls read the store and wait for loads, so they block: transports call them off their event
 * loops. This class is thread-safe.
 */
public final class RepositoryService {
  /** How long a load waits for its version to serve by default. */
  public static final Duration DEFAULT_LOAD_WAIT = Duration.ofSeconds(60);

  private final ModelStore store;
  private final ModelRouter router;
  private final ReloadCoordinator coordinator;
  private final Duration loadWait;

  /**
   * @param loadWait how long a load waits for the version to be served before answering
   *     DEADLINE_EXCEEDED (the load then goes on in the background)
   */
  public RepositoryService(
      ModelStore store, ModelRouter router, ReloadCoordinator coordinator, Duration loadWait) {
    this.store = Objects.requireNonNull(store, "store");
    this.router = Objects.requireNonNull(router, "router");
    this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
    this.loadWait = Objects.requireNonNull(loadWait, "loadWait");
  }

  /**
   * The registry's models and versions with their state here, by model name then version.
   *
   * @param readyOnly only versions that answer requests now
   */
  public List<RepositoryEntry> index(boolean readyOnly) {
    Map<String, ModelStatus> statuses = coordinator.statuses();
    List<RepositoryEntry> out = new ArrayList<>();
    for (String model : store.modelNames()) {
      List<String> versions;
      try {
        versions = store.versions(model);
      } catch (NotFoundException removedMeanwhile) {
        continue;
      }
      for (String version : versions) {
        RepositoryEntry e = entry(model, version, statuses.get(model));
        if (e != null && (!readyOnly || e.ready())) {
          out.add(e);
        }
      }
    }
    return out;
  }

  /** One version's entry, or null when it went away while the index was read. */
  private RepositoryEntry entry(String model, String version, ModelStatus status) {
    ServedModel m = router.loaded(model, version);
    if (m != null && !m.closed()) {
      return new RepositoryEntry(model, version, RepositoryEntry.READY, "");
    }
    Stage stage;
    try {
      stage = VersionStages.stageOf(store, model, version);
    } catch (NotFoundException gone) {
      return null;
    }
    String state = RepositoryEntry.UNAVAILABLE;
    String reason = switch (stage) {
      case PRODUCTION, STAGING -> {
        if (status != null && status.state().equals("LOADING")) {
          state = RepositoryEntry.LOADING;
          yield stage.displayName() + ": " + status.reason();
        }
        yield stage.displayName() + ": not loaded" + (status != null && status.reason() != null
            ? " (" + status.state() + ": " + status.reason() + ")" : "");
      }
      case DEPRECATED -> "Deprecated: not loaded; loads on the first request that names it, or"
          + " with a repository load naming it";
      case DEVELOPMENT -> "Development: not served; promote it to Staging or Production to serve"
          + " it";
      case ARCHIVED -> "Archived: not loadable; restore it to serve it again";
    };
    return new RepositoryEntry(model, version, state, reason);
  }

  /**
   * Makes a version served here, returning once it is.
   *
   * @throws NotFoundException when the model or version is not registered
   * @throws IllegalTransitionException (FAILED_PRECONDITION) when the version's stage is not
   *     served, or the model has no Production version and none was named
   * @throws InferenceException INVALID_ARGUMENT for a refused parameter, UNAVAILABLE when the
   *     load failed, DEADLINE_EXCEEDED when it is still going on after the wait
   */
  public void load(String model, Map<String, Object> params) throws InterruptedException {
    RepositoryParameters p = RepositoryParameters.forLoad(params);
    requireModel(model);
    String version = p.version() != null ? p.version()
        : store.stageVersion(model, Stage.PRODUCTION).orElseThrow(() ->
            new IllegalTransitionException("model '" + model + "' has no Production version to"
                + " load; name one with parameter 'version' (registered: "
                + String.join(", ", store.versions(model)) + ") or promote one"));
    Stage stage = VersionStages.stageOf(store, model, version);
    switch (stage) {
      case PRODUCTION, STAGING -> coordinator.reconcileNow(model, loadWait);
      case DEPRECATED -> await(coordinator.loadOnDemand(model, version), model, version);
      case DEVELOPMENT -> throw new IllegalTransitionException("version '" + version
          + "' of model '" + model + "' is Development, which is not served; promote it to"
          + " Staging first (POST /api/v1/models/" + model + "/versions/" + version
          + "/promote {\"stage\": \"Staging\"})");
      case ARCHIVED -> throw new IllegalTransitionException("version '" + version
          + "' of model '" + model + "' is Archived, which is not loadable; restore it first"
          + " (POST /api/v1/models/" + model + "/versions/" + version + "/restore)");
    }
    ServedModel m = router.loaded(model, version);
    if (m == null || m.closed()) {
      ModelStatus s = coordinator.statuses().get(model);
      if (s != null && s.state().equals("LOADING")) {
        throw new InferenceException(InferenceException.Kind.DEADLINE_EXCEEDED, "version '"
            + version + "' of model '" + model + "' is still loading after "
            + loadWait.toSeconds() + " s; it goes on in the background (see the index)");
      }
      throw InferenceException.unavailable("version '" + version + "' of model '" + model
          + "' could not be loaded" + (s == null || s.reason() == null ? ""
              : ": " + s.reason()));
    }
  }

  /**
   * Stops serving a version (or, without one, every loaded version) that the registry does not
   * hold; returns once it no longer takes requests (those in flight finish).
   *
   * @return the versions unloaded (empty when none was loaded)
   * @throws NotFoundException when the model or version is not registered
   * @throws IllegalTransitionException (FAILED_PRECONDITION) when the registry holds the version
   */
  public List<String> unload(String model, Map<String, Object> params)
      throws InterruptedException {
    RepositoryParameters p = RepositoryParameters.forUnload(params);
    requireModel(model);
    List<String> targets;
    if (p.version() != null) {
      VersionStages.stageOf(store, model, p.version()); // NOT_FOUND for an unknown version
      String held = heldBy(model, p.version());
      if (held != null) {
        throw new IllegalTransitionException("version '" + p.version() + "' of model '" + model
            + "' " + held);
      }
      targets = List.of(p.version());
    } else {
      List<String> held = new ArrayList<>();
      for (String v : router.versions(model)) {
        String why = heldBy(model, v);
        if (why != null) {
          held.add(v + " (" + why + ")");
        }
      }
      if (!held.isEmpty()) {
        throw new IllegalTransitionException("model '" + model + "' has versions the registry"
            + " serves: " + String.join("; ", held) + "; name a version that is not Production"
            + " with parameter 'version'");
      }
      targets = router.versions(model);
    }
    List<String> unloaded = new ArrayList<>();
    for (String v : targets) {
      // The reload thread checks again: a pointer may have moved since the check above.
      if (await(coordinator.unload(model, v), model, v)) {
        unloaded.add(v);
      }
    }
    return unloaded;
  }

  /** Why the registry holds a version (it must stay served), or null when it does not. */
  private String heldBy(String model, String version) {
    if (store.stageVersion(model, Stage.PRODUCTION).filter(version::equals).isPresent()) {
      return "is the Production version, which unversioned requests need; promote another"
          + " version or roll back (POST /api/v1/models/" + model + "/rollback) first";
    }
    if (store.stageVersion(model, Stage.STAGING).filter(version::equals).isPresent()) {
      return "is the Staging version, served by stage; deprecate it or promote another"
          + " version to Staging first";
    }
    ArmTable arms = router.arms(model);
    if (arms != null && arms.weights().getOrDefault(version, 0.0) > 0) {
      return "takes part of the model's traffic split " + arms.weights()
          + "; change the split first (PUT /api/v1/models/" + model + "/traffic)";
    }
    return null;
  }

  private void requireModel(String model) {
    if (model == null || model.isEmpty()) {
      throw InferenceException.invalid("the model name is missing");
    }
    if (!store.hasModel(model)) {
      throw InferenceException.notFound("model '" + model + "' is not in the registry (models: "
          + String.join(", ", store.modelNames()) + ")");
    }
  }

  private <T> T await(CompletableFuture<T> f, String model, String version)
      throws InterruptedException {
    try {
      return f.get(loadWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new InferenceException(InferenceException.Kind.DEADLINE_EXCEEDED, "version '"
          + version + "' of model '" + model + "' is still changing after "
          + loadWait.toSeconds() + " s; it goes on in the background (see the index)");
    }
  }
}
