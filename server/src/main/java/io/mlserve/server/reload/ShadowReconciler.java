package io.mlserve.server.reload;

import io.mlserve.server.model.ModelLoadException;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.shadow.ShadowConfig;
import io.mlserve.server.shadow.Shadows;
import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Shadow;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a model's shadow from its deployment record, as part of the reload path: the shadow
 * version is loaded, warmed and health-checked (the loader does all three) and handed to
 * {@link Shadows}, which mirrors a sample of the primary's answered requests to it after they are
 * answered. A shadow that fails to load is recorded ({@code ml.model.reload_failed.v1}) and not
 * tried again until the record changes. The shadow runs on a dedicated instance of its version
 * ({@link ModelLoader#loadBackground}: its own batcher, one instance, its own metrics), never the
 * instance that serves the version's stage, split arm or explicit requests, so copies never
 * queue beside real traffic of that version; a stopped or replaced shadow's instance is retired.
 *
 * <p>Runs on the reload coordinator's single thread only; not thread-safe.
 */
final class ShadowReconciler {
  private static final Logger log = LoggerFactory.getLogger(ShadowReconciler.class);

  private final ModelStore store;
  private final DeploymentStore deployments;
  private final ModelRouter router;
  private final ModelLoader loader;
  private final Shadows shadows;
  private final TrafficReconciler.Failures failures;
  /** Per model, the shadow applied (or that failed): not applied again until it changes. */
  private final Map<String, Shadow> applied = new HashMap<>();

  ShadowReconciler(ModelStore store, ModelRouter router, ModelLoader loader, Shadows shadows,
      TrafficReconciler.Failures failures) {
    this.store = Objects.requireNonNull(store, "store");
    this.deployments = new DeploymentStore(store);
    this.router = Objects.requireNonNull(router, "router");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.shadows = Objects.requireNonNull(shadows, "shadows");
    this.failures = Objects.requireNonNull(failures, "failures");
  }

  void reconcile(String model) {
    Shadow want;
    try {
      want = deployments.read(model).map(Deployment::shadow).orElse(null);
    } catch (RuntimeException e) {
      log.error("{}: deployment record unreadable; the shadow stays as it is: {}", model,
          e.getMessage());
      return;
    }
    ServedModel current = router.shadow(model);
    if (want == null) {
      applied.remove(model);
      if (current != null) {
        router.setShadow(model, null);
        shadows.stop(model);
        log.info("{}: shadow {} stopped", model, current.version());
        ReloadCoordinator.retire(current);
      }
      return;
    }
    if (want.equals(applied.get(model)) && (current == null || !current.closed())) {
      return;
    }
    applied.put(model, want);
    ServedModel m = current;
    if (m == null || m.closed() || !m.version().equals(want.version())) {
      try {
        m = loader.loadBackground(store.versionDir(model, want.version()),
            store.manifest(model, want.version()));
      } catch (ModelLoadException | RuntimeException e) {
        String reason = "shadow " + want.version() + " not started: it failed to load: "
            + e.getMessage();
        log.error("{}: {}", model, reason);
        failures.splitFailed(model, want.version(), reason);
        return;
      }
    }
    router.setShadow(model, m);
    shadows.start(model, m, ShadowConfig.of(want.sample(), want.atol(), want.rtol()));
    log.info("{}: shadow {} started", model, want.describe());
    if (current != null && current != m) {
      ReloadCoordinator.retire(current);
    }
  }

  /** For tests: the shadow the record says, as last applied. */
  Optional<Shadow> applied(String model) {
    return Optional.ofNullable(applied.get(model));
  }
}
