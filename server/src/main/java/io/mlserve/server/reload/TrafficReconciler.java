package io.mlserve.server.reload;

import io.mlserve.server.model.ArmTable;
import io.mlserve.server.model.ModelLoadException;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.ModelStore;
import io.mlserve.store.TrafficSplit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a model's traffic split from its deployment record, as part of the reload path: every
 * version the split gives weight is loaded, warmed and health-checked (the loader does all
 * three) before the split takes effect with one volatile write; if any fails, the split in
 * force stays, the failure is recorded ({@code ml.model.reload_failed.v1} with the reason), and
 * that split is not tried again until the record changes. Versions that leave the split and
 * serve nothing else are retired (drained, then closed).
 *
 * <p>Runs on the reload coordinator's single thread only; not thread-safe.
 */
final class TrafficReconciler {
  private static final Logger log = LoggerFactory.getLogger(TrafficReconciler.class);

  /** What the coordinator is told when a split could not be applied. */
  interface Failures {
    /** The split naming {@code version} was not applied because of {@code reason}. */
    void splitFailed(String model, String version, String reason);
  }

  private final ModelStore store;
  private final DeploymentStore deployments;
  private final ModelRouter router;
  private final ModelLoader loader;
  private final Failures failures;
  /** Per model, the id of the split that failed to apply (not retried until it changes). */
  private final Map<String, String> failed = new HashMap<>();
  private volatile BiConsumer<String, ArmTable> onChange = (model, arms) -> {};

  TrafficReconciler(ModelStore store, ModelRouter router, ModelLoader loader, Failures failures) {
    this.store = Objects.requireNonNull(store, "store");
    this.deployments = new DeploymentStore(store);
    this.router = Objects.requireNonNull(router, "router");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.failures = Objects.requireNonNull(failures, "failures");
  }

  /** Told (model, new arms or null) after each split change took effect. */
  void onChange(BiConsumer<String, ArmTable> listener) {
    this.onChange = Objects.requireNonNull(listener, "listener");
  }

  /** Brings the model's split in line with its deployment record. */
  void reconcile(String model) {
    Optional<Deployment> record;
    try {
      record = deployments.read(model);
    } catch (RuntimeException e) {
      log.error("{}: deployment record unreadable; the split in force stays: {}", model,
          e.getMessage());
      return;
    }
    TrafficSplit want = record.map(Deployment::split).orElse(null);
    String wantId = want == null ? null : Long.toString(record.get().seq());
    ArmTable current = router.arms(model);
    if (Objects.equals(wantId, current == null ? null : current.id())
        || (wantId != null && wantId.equals(failed.get(model)))) {
      return;
    }
    if (want != null && current != null && want.equals(current.split())) {
      return; // the record changed, not its split (a rollout's extension, a shadow): keep it
    }
    if (want == null) {
      router.setArms(model, null);
      failed.remove(model);
      log.info("{}: traffic split cleared; unversioned requests go to Production", model);
      retireUnused(model, current);
      onChange.accept(model, null);
      return;
    }
    Map<String, ServedModel> byVersion = new HashMap<>();
    List<ServedModel> fresh = new ArrayList<>();
    for (Map.Entry<String, Double> arm : want.weights().entrySet()) {
      if (arm.getValue() <= 0) {
        continue;
      }
      String version = arm.getKey();
      ServedModel m = router.loaded(model, version);
      try {
        if (m == null || m.closed()) {
          m = loader.load(store.versionDir(model, version), store.manifest(model, version));
          fresh.add(m);
        } else {
          m.awaitLoaded(); // unloaded while idle: split traffic never waits for a load
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fresh.forEach(ServedModel::close);
        return;
      } catch (ModelLoadException | RuntimeException e) {
        String reason = "traffic split " + want.spec() + " not applied: " + version
            + " failed to load: " + e.getMessage();
        log.error("{}: {}; the split in force stays", model, reason);
        failed.put(model, wantId);
        fresh.forEach(ServedModel::close); // never routed to: nothing to drain
        failures.splitFailed(model, version, reason);
        return;
      }
      byVersion.put(version, m);
    }
    fresh.forEach(m -> router.put(m, false));
    ArmTable arms = ArmTable.of(wantId, want, byVersion::get);
    // Announced before it routes: the first request the new split routes already counts in the
    // new split's A/B window, never in the old one.
    onChange.accept(model, arms);
    router.setArms(model, arms);
    failed.remove(model);
    log.info("{}: traffic split {} in effect (seq {})", model, want.spec(), wantId);
    retireUnused(model, current);
  }

  /** Retires the arms of {@code previous} that serve nothing any more. */
  private void retireUnused(String model, ArmTable previous) {
    if (previous == null) {
      return;
    }
    for (ServedModel m : previous.arms()) {
      if (!ReloadCoordinator.inUse(router, model, m)) {
        router.remove(m);
        ReloadCoordinator.retire(m);
      }
    }
  }
}
