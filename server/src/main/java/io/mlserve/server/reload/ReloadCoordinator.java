package io.mlserve.server.reload;

import io.mlserve.registry.IllegalTransitionException;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.model.ArmTable;
import io.mlserve.server.model.ModelLoadException;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.store.Event;
import io.mlserve.store.EventFollower;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Stage;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what the server serves equal to what the store's stage pointers say, with no dropped
 * request: it follows the store's event log (this process's writes and other processes' alike)
 * and, for each model an event names, reconciles. A new Production version is loaded beside the
 * old one (which keeps serving), warmed and health-checked by the {@link ModelLoader}, then the
 * route is swapped with one volatile write and the old version is drained and closed. When the
 * load, warm-up or health check fails, the old version keeps serving and the registry's
 * Production pointer is rolled back to it ({@code ml.model.reload_failed.v1} and
 * {@code ml.model.rolled_back.v1}). The Staging version is served the same way, by stage.
 *
 * <p>Reconciliation runs on one thread, so reloads never race each other. This class is
 * thread-safe.
 */
public final class ReloadCoordinator implements AutoCloseable {
  /** The actor named in history for changes the server makes itself. */
  public static final String ACTOR = "mlserve-server";

  private static final Logger log = LoggerFactory.getLogger(ReloadCoordinator.class);

  private final ModelStore store;
  private final ModelRegistry registry;
  private final ModelRouter router;
  private final ModelLoader loader;
  private final Clock clock;
  private final BiConsumer<String, Boolean> healthSink;
  private final TrafficReconciler traffic;
  private volatile ShadowReconciler shadowReconciler;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mlserve-reload");
        t.setDaemon(true);
        return t;
      });
  private final Map<String, ModelStatus> statuses = new ConcurrentHashMap<>();
  // Reload thread only: why the next swap of a model is a rollback.
  private final Map<String, String> rollbackReasons = new ConcurrentHashMap<>();
  private final Map<String, FutureTask<Void>> pending = new ConcurrentHashMap<>();
  // Reload thread only: Deprecated versions loaded on demand, least recent first.
  private final Map<String, java.util.Deque<String>> onDemand = new ConcurrentHashMap<>();

  /** How many on-demand (Deprecated) versions of one model stay loaded. */
  public static final int ON_DEMAND_PER_MODEL = 2;
  private volatile PromotionGuard guard;
  private volatile EventFollower follower;

  /**
   * @param registry records reload failures and rollbacks; may be null (then a failed load
   *     only keeps the old version serving)
   * @param healthSink told (model, serving?) whenever a model's default version changes
   */
  public ReloadCoordinator(
      ModelStore store, ModelRegistry registry, ModelRouter router, ModelLoader loader,
      Clock clock, BiConsumer<String, Boolean> healthSink) {
    this.store = Objects.requireNonNull(store, "store");
    this.registry = registry;
    this.router = Objects.requireNonNull(router, "router");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.healthSink = Objects.requireNonNull(healthSink, "healthSink");
    this.traffic = new TrafficReconciler(store, router, loader, (model, version, reason) -> {
      setStatus(model, "TRAFFIC_FAILED", reason);
      recordFailure(model, version, null, reason);
    });
  }

  /**
   * Serves each model's shadow from its deployment record through {@code shadows} from the next
   * reconciliation on. Call before {@link #reconcileAll}.
   */
  public void serveShadows(io.mlserve.server.shadow.Shadows shadows) {
    this.shadowReconciler = new ShadowReconciler(store, router, loader, shadows,
        (model, version, reason) -> {
          setStatus(model, "SHADOW_FAILED", reason);
          recordFailure(model, version, null, reason);
        });
  }

  /** Told (model, its new split over loaded versions, or null) after each split change. */
  public void onTrafficChange(BiConsumer<String, ArmTable> listener) {
    traffic.onChange(listener);
  }

  /** Installs the post-promotion guard that watches each newly swapped-in version. */
  public void setGuard(PromotionGuard guard) {
    this.guard = guard;
  }

  /** Loads every model's Production and Staging versions, in this thread's wait. */
  public void reconcileAll() throws InterruptedException {
    Future<?> f = worker.submit(() -> store.modelNames().forEach(this::reconcile));
    try {
      f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      log.error("initial load failed", e.getCause());
    }
  }

  /**
   * Follows the store's event log from {@code afterSeq}: every event about a model reconciles
   * that model.
   */
  public void follow(long afterSeq) {
    follower = EventFollower.start(store.root(), afterSeq, this::onEvent,
        EventFollower.DEFAULT_POLL);
  }

  /** Schedules a reconciliation of the model an event names. */
  public void onEvent(Event e) {
    // Runs and alerts change nothing this server loads.
    if (e.modelName() == null || e.eventType().startsWith("ml.run.")
        || e.eventType().startsWith("ml.alert.")) {
      return;
    }
    log.debug("event {} {} {} seq {}", e.eventType(), e.modelName(), e.version(), e.seq());
    submit(e.modelName());
  }

  /** Reconciles one model on the reload thread; returns when done. */
  public void reconcileNow(String model) throws InterruptedException {
    try {
      submit(model).get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Reconciles one model on the reload thread, waiting at most {@code timeout}: a change written
   * to the store just before is in force when this returns in time (see
   * {@code grpc.ReadYourWrites}); one that takes longer (a large load) goes on in the
   * background.
   */
  public void reconcileNow(String model, java.time.Duration timeout)
      throws InterruptedException {
    try {
      submit(model).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      log.info("{}: still applying a change after {} ms; it completes in the background",
          model, timeout.toMillis());
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  private Future<?> submit(String model) {
    // At most one pending reconciliation per model: it reads the pointers when it runs, so
    // events that arrive meanwhile are covered by it. This keeps the work queue bounded by the
    // number of models however fast events come.
    FutureTask<Void> task = new FutureTask<>(() -> {
      pending.remove(model);
      try {
        reconcile(model);
      } catch (RuntimeException e) {
        log.error("{}: reconcile failed", model, e);
      }
      return null;
    });
    FutureTask<Void> earlier = pending.putIfAbsent(model, task);
    if (earlier != null) {
      return earlier;
    }
    worker.execute(task);
    return task;
  }

  /**
   * Loads a Deprecated version that a request named explicitly, so old versions stay callable
   * without being kept in memory. At most {@link #ON_DEMAND_PER_MODEL} such versions stay loaded
   * per model; loading another retires the least recently loaded one.
   *
   * @return completes with the loaded version, or fails with an InferenceException (NOT_FOUND for
   *     a version that does not exist or is not Deprecated)
   */
  public CompletableFuture<ServedModel> loadOnDemand(String model, String version) {
    CompletableFuture<ServedModel> result = new CompletableFuture<>();
    try {
      worker.execute(() -> {
        try {
          ServedModel loaded = router.loaded(model, version);
          if (loaded != null && !loaded.closed()) {
            result.complete(loaded);
            return;
          }
          Stage stage = registry == null ? null : registry.stageOf(model, version);
          if (stage != Stage.DEPRECATED) {
            throw InferenceException.notFound("version '" + version + "' of model '" + model
                + "' is not loaded" + (stage == null ? "" : " (it is " + stage.displayName()
                + "; only Deprecated versions load on demand)"));
          }
          ServedModel fresh =
              loader.load(store.versionDir(model, version), store.manifest(model, version));
          router.put(fresh, false);
          java.util.Deque<String> recent =
              onDemand.computeIfAbsent(model, m -> new java.util.ArrayDeque<>());
          recent.remove(version);
          recent.addLast(version);
          while (recent.size() > ON_DEMAND_PER_MODEL) {
            ServedModel evicted = router.loaded(model, recent.removeFirst());
            if (evicted != null && !inUse(router, model, evicted)) {
              router.remove(evicted);
              retire(evicted);
            }
          }
          log.info("{}: loaded Deprecated version {} on demand", model, version);
          result.complete(fresh);
        } catch (NotFoundException e) {
          result.completeExceptionally(InferenceException.notFound(e.getMessage()));
        } catch (ModelLoadException e) {
          result.completeExceptionally(InferenceException.unavailable(e.getMessage()));
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      result.completeExceptionally(InferenceException.unavailable("server is shutting down"));
    }
    return result;
  }

  /**
   * Stops serving a loaded version that no stage pointer, traffic split or Staging route holds
   * (one loaded on demand or by the repository API), on the reload thread so it never races a
   * reconciliation; it drains and closes in the background. A Deprecated version unloaded here
   * loads again on the next request that names it.
   *
   * @return completes with true when a version was unloaded, false when it was not loaded; fails
   *     with IllegalTransitionException (FAILED_PRECONDITION) when unversioned, staged or split
   *     traffic still reaches it
   */
  public CompletableFuture<Boolean> unload(String model, String version) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    try {
      worker.execute(() -> {
        ServedModel loaded = router.loaded(model, version);
        if (loaded == null) {
          result.complete(false);
        } else if (inUse(router, model, loaded)) {
          result.completeExceptionally(new IllegalTransitionException("version '" + version
              + "' of model '" + model + "' takes the model's Production, Staging or split"
              + " traffic"));
        } else {
          java.util.Deque<String> recent = onDemand.get(model);
          if (recent != null) {
            recent.remove(version);
          }
          router.remove(loaded);
          retire(loaded);
          log.info("{}: unloaded version {}", model, version);
          result.complete(true);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      result.completeExceptionally(InferenceException.unavailable("server is shutting down"));
    }
    return result;
  }

  /**
   * Runs {@code task} on the reload thread, after the reconciliations queued before it, so that
   * it never interleaves with a route change (the idle unloader's sweeps run here).
   *
   * @throws java.util.concurrent.RejectedExecutionException once closed
   */
  public void runOnReloadThread(Runnable task) {
    worker.execute(task);
  }

  /** The last known status of each model, sorted by name. */
  public Map<String, ModelStatus> statuses() {
    return new TreeMap<>(statuses);
  }

  // Runs on the reload thread only.
  private void reconcile(String model) {
    Optional<String> wantProd = pointer(model, Stage.PRODUCTION);
    ServedModel current = router.defaultVersion(model);
    String currentVersion = current == null ? null : current.version();
    if (wantProd.isPresent() && !wantProd.get().equals(currentVersion)) {
      swapProduction(model, wantProd.get(), current);
    } else if (wantProd.isEmpty() && current != null) {
      log.info("{}: no Production version any more; {} stops serving", model, currentVersion);
      router.clearDefault(model);
      healthSink.accept(model, false);
      if (!inUse(router, model, current)) {
        router.remove(current);
        retire(current);
      }
    }
    Optional<String> wantStaging = pointer(model, Stage.STAGING);
    ServedModel staging = router.staging(model);
    String stagingVersion = staging == null ? null : staging.version();
    if (!Objects.equals(wantStaging.orElse(null), stagingVersion)) {
      swapStaging(model, wantStaging.orElse(null), staging);
    }
    traffic.reconcile(model);
    ShadowReconciler sr = shadowReconciler;
    if (sr != null) {
      sr.reconcile(model);
    }
    ServedModel prod = router.defaultVersion(model);
    ServedModel stg = router.staging(model);
    ModelStatus before = statuses.get(model);
    if (before == null || !Objects.equals(before.production(), prod == null ? null : prod.version())
        || !Objects.equals(before.staging(), stg == null ? null : stg.version())) {
      String state = before != null && before.state().equals("ROLLED_BACK") ? "ROLLED_BACK"
          : prod == null && stg == null ? "NOT_SERVING" : "SERVING";
      setStatus(model, state, before == null ? null : before.reason());
    }
  }

  private void swapProduction(String model, String version, ServedModel current) {
    String from = current == null ? null : current.version();
    setStatus(model, "LOADING", "loading " + version + (from == null ? "" : " to replace " + from));
    ServedModel fresh = router.loaded(model, version); // e.g. the Staging version promoted
    try {
      if (fresh == null || fresh.closed()) {
        fresh = loader.load(store.versionDir(model, version), store.manifest(model, version));
      } else {
        fresh.awaitLoaded(); // unloaded while idle: Production traffic never waits for a load
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (ModelLoadException | RuntimeException e) {
      String reason = e.getMessage();
      log.error("{}: reload to {} failed, {} keeps serving: {}", model, version,
          from == null ? "nothing" : from, reason);
      setStatus(model, "RELOAD_FAILED", reason);
      recordFailure(model, version, from, reason);
      return;
    }
    ServedModel previous = router.put(fresh, true);
    healthSink.accept(model, true);
    log.info("{}: now serving {} (was {})", model, version, from == null ? "nothing" : from);
    String rollbackReason = rollbackReasons.remove(model);
    if (rollbackReason != null) {
      setStatus(model, "ROLLED_BACK", rollbackReason);
    } else {
      setStatus(model, "SERVING", null);
    }
    if (previous != null && previous != fresh && !inUse(router, model, previous)) {
      router.remove(previous);
      retire(previous);
    }
    PromotionGuard g = guard;
    if (g != null && from != null) {
      g.watch(fresh, from);
    }
  }

  private void swapStaging(String model, String version, ServedModel current) {
    ServedModel fresh = null;
    if (version != null) {
      fresh = router.loaded(model, version);
      if (fresh == null || fresh.closed()) {
        try {
          fresh = loader.load(store.versionDir(model, version), store.manifest(model, version));
        } catch (ModelLoadException | RuntimeException e) {
          log.error("{}: Staging version {} not served: {}", model, version, e.getMessage());
          setStatus(model, "STAGING_FAILED", e.getMessage());
          fresh = null;
        }
      }
    }
    router.setStaging(model, fresh);
    if (current != null && current != fresh && !inUse(router, model, current)) {
      router.remove(current);
      retire(current);
    }
  }

  /** Called by the guard (any thread): roll the version back as a failed reload would. */
  void rollBack(String model, String badVersion, String toVersion, String reason) {
    worker.execute(() -> {
      ServedModel current = router.defaultVersion(model);
      if (current == null || !current.version().equals(badVersion)) {
        return; // something else moved Production meanwhile
      }
      log.warn("{}: guard rolls {} back to {}: {}", model, badVersion, toVersion, reason);
      rollbackReasons.put(model, reason);
      recordFailure(model, badVersion, toVersion, reason);
      reconcile(model); // swap now rather than wait for the event to come back around
    });
  }

  private void recordFailure(String model, String failed, String rollbackTo, String reason) {
    if (registry == null) {
      return;
    }
    try {
      registry.recordReloadFailure(model, failed, rollbackTo, reason, ACTOR);
    } catch (RuntimeException e) {
      log.error("{}: could not record the reload failure of {}: {}", model, failed, e.toString());
    }
  }

  /** Whether unversioned, staged or split traffic of the model still reaches {@code m}. */
  static boolean inUse(ModelRouter router, String model, ServedModel m) {
    ArmTable arms = router.arms(model);
    return m == router.defaultVersion(model) || m == router.staging(model)
        || (arms != null && arms.contains(m));
  }

  static void retire(ServedModel old) {
    // Removed from the router first, so new requests go elsewhere; queued and running ones
    // finish (close drains), and requests that resolved it just before the swap are retried
    // on the new version by the serving entry point.
    Thread t = new Thread(old::close, "mlserve-retire-" + old.label());
    t.setDaemon(true);
    t.start();
  }

  private Optional<String> pointer(String model, Stage stage) {
    try {
      return store.stageVersion(model, stage);
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  private void setStatus(String model, String state, String reason) {
    ServedModel prod = router.defaultVersion(model);
    ServedModel stg = router.staging(model);
    statuses.put(model, new ModelStatus(model, prod == null ? null : prod.version(),
        stg == null ? null : stg.version(), state, reason, clock.millis()));
  }

  @Override
  public void close() {
    EventFollower f = follower;
    if (f != null) {
      f.close();
    }
    worker.shutdown();
    try {
      worker.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
