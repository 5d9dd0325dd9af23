package io.mlserve.server.model;

import io.mlserve.errors.ClientText;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the engine of one served version and loads it again on demand after an idle unload.
 * States: {@code loaded} → {@link #unload} → {@code unloading} (the old engine drains) →
 * {@code unloaded} → {@link #acquire} → {@code loading} → {@code loaded}, or {@code failed}
 * when the load threw; {@link #close} ends in {@code closed} from any state.
 *
 * <ul>
 *   <li>One load at a time: every caller of {@link #acquire} during a load gets the same future
 *       (no thundering herd), and one that comes while the old engine still drains gets the load
 *       that starts right after the drain.
 *   <li>A failed load is not retried for {@link #RETRY_AFTER_NANOS} (ticker time): callers in
 *       between get the same failure at once, so a broken artifact costs one load per interval,
 *       not one per request.
 *   <li>Loads and drains run on {@code executor}, never on the caller's thread.
 * </ul>
 *
 * <p>This class is thread-safe.
 *
 * @param <E> the engine (a {@link ServedEngine} when serving; anything in tests)
 */
final class EngineSlot<E> {
  private static final Logger log = LoggerFactory.getLogger(EngineSlot.class);

  /** How long a failed load is answered from memory before a request may try again: 5 s. */
  static final long RETRY_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** Where the engine is in its life, as {@code /readyz} shows it (lower case). */
  enum State {
    LOADED, UNLOADING, UNLOADED, LOADING, FAILED, CLOSED;

    /** The state's name in {@code /readyz}. */
    String display() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Loads a fresh engine: engine load, warm-up and health check. */
  @FunctionalInterface
  interface Loader<E> {
    E load() throws ModelLoadException;
  }

  private final String model;
  private final String version;
  private final Loader<E> loader;
  private final Consumer<E> closer;
  private final Executor executor;
  private final Ticker ticker;
  private final Runnable onUnloaded;
  private final Runnable onReloaded;

  private final Object lock = new Object();
  /** The engine while {@code loaded}; null otherwise. Read without the lock on every request. */
  private volatile E current;
  private volatile boolean closed;
  // @GuardedBy("lock")
  private State state = State.LOADED;
  // @GuardedBy("lock"): the load callers wait on (loading, or unloading with a load queued)
  private CompletableFuture<E> loading;
  // @GuardedBy("lock")
  private long failedAtNanos;
  // @GuardedBy("lock")
  private InferenceException failure;

  /**
   * @param first the engine loaded already
   * @param closer drains and frees an engine (runs on {@code executor}, or in {@link #close})
   * @param onUnloaded told after each idle unload finished
   * @param onReloaded told after each successful load on demand
   */
  EngineSlot(String model, String version, E first, Loader<E> loader, Consumer<E> closer,
      Executor executor, Ticker ticker, Runnable onUnloaded, Runnable onReloaded) {
    this.model = Objects.requireNonNull(model, "model");
    this.version = Objects.requireNonNull(version, "version");
    this.current = Objects.requireNonNull(first, "first");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.closer = Objects.requireNonNull(closer, "closer");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.onUnloaded = Objects.requireNonNull(onUnloaded, "onUnloaded");
    this.onReloaded = Objects.requireNonNull(onReloaded, "onReloaded");
  }

  /** The engine when loaded, else null. Lock-free. */
  E current() {
    return current;
  }

  /** Whether {@link #close} was called: the version is retired for good. */
  boolean closed() {
    return closed;
  }

  State state() {
    synchronized (lock) {
      return state;
    }
  }

  /**
   * The engine, loading it when it is not loaded.
   *
   * @param ignoreBackoff load again even within {@link #RETRY_AFTER_NANOS} of a failure (the
   *     reload coordinator, about to route traffic to the version, must not be refused by a
   *     request's earlier failure)
   * @return completes with the loaded engine, or fails with an {@link InferenceException}
   *     (UNAVAILABLE) naming the model and version
   */
  CompletableFuture<E> acquire(boolean ignoreBackoff) {
    CompletableFuture<E> started;
    synchronized (lock) {
      switch (state) {
        case LOADED:
          return CompletableFuture.completedFuture(current);
        case CLOSED:
          return CompletableFuture.failedFuture(retired());
        case LOADING:
          return loading;
        case UNLOADING:
          if (loading == null) {
            loading = new CompletableFuture<>(); // started when the drain is over
          }
          return loading;
        case FAILED:
          if (!ignoreBackoff && ticker.nanoTime() - failedAtNanos < RETRY_AFTER_NANOS) {
            return CompletableFuture.failedFuture(failure);
          }
          break;
        default:
          break;
      }
      state = State.LOADING;
      loading = new CompletableFuture<>();
      started = loading;
    }
    try {
      executor.execute(this::load);
    } catch (RejectedExecutionException e) {
      finishLoad(null, e);
    }
    return started;
  }

  /**
   * Drops the engine if it is loaded: from now on requests wait for a reload, and the engine
   * drains (queued and running requests finish) and is freed on the executor.
   *
   * @return whether an unload started
   */
  boolean unload() {
    E engine;
    synchronized (lock) {
      if (state != State.LOADED) {
        return false;
      }
      state = State.UNLOADING;
      engine = current;
      current = null;
    }
    try {
      executor.execute(() -> finishUnload(engine));
    } catch (RejectedExecutionException e) {
      finishUnload(engine);
    }
    return true;
  }

  /** Retires the version for good: a loaded engine is drained and freed before this returns. */
  void close() {
    E engine;
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      engine = state == State.LOADED ? current : null;
      state = State.CLOSED;
      closed = true;
      current = null;
      // A load or drain in progress sees CLOSED, frees what it holds and fails its waiters.
    }
    if (engine != null) {
      closer.accept(engine);
    }
  }

  private void load() {
    E engine = null;
    Throwable error = null;
    try {
      engine = loader.load();
    } catch (ModelLoadException | RuntimeException e) {
      error = e;
    }
    finishLoad(engine, error);
  }

  private void finishLoad(E engine, Throwable error) {
    CompletableFuture<E> waiting;
    boolean discard = false;
    synchronized (lock) {
      waiting = loading;
      loading = null;
      if (state == State.CLOSED) {
        discard = true;
      } else if (error == null) {
        current = engine;
        state = State.LOADED;
      } else {
        state = State.FAILED;
        failedAtNanos = ticker.nanoTime();
        failure = InferenceException.unavailable("version '" + version + "' of model '" + model
            + "' was unloaded while idle and could not be loaded again: "
            + ClientText.scrub(error.getMessage(), "unknown engine error")
            + "; a request in " + TimeUnit.NANOSECONDS.toSeconds(RETRY_AFTER_NANOS)
            + " s or later tries again");
      }
    }
    if (discard) {
      if (engine != null) {
        closer.accept(engine);
      }
      complete(waiting, null, retired());
    } else if (error == null) {
      log.info("{}:{}: loaded again on demand after an idle unload", model, version);
      onReloaded.run();
      complete(waiting, engine, null);
    } else {
      log.warn("{}:{}: loading again after an idle unload failed: {}", model, version,
          ClientText.scrub(error.getMessage(), "unknown engine error"));
      InferenceException f;
      synchronized (lock) {
        f = failure;
      }
      complete(waiting, null, f);
    }
  }

  private void finishUnload(E engine) {
    try {
      closer.accept(engine);
    } catch (RuntimeException e) {
      log.warn("{}:{}: freeing the idle engine failed", model, version, e);
    }
    CompletableFuture<E> waiting = null;
    boolean reload = false;
    synchronized (lock) {
      if (state == State.CLOSED) {
        waiting = loading;
        loading = null;
      } else if (loading != null) {
        state = State.LOADING;
        reload = true;
      } else {
        state = State.UNLOADED;
      }
    }
    onUnloaded.run();
    log.info("{}:{}: unloaded after being idle", model, version);
    if (reload) {
      load(); // requests came while it drained: they wait for this load, on this thread
    } else if (waiting != null) {
      complete(waiting, null, retired());
    }
  }

  private static <E> void complete(CompletableFuture<E> f, E value, Throwable error) {
    if (f == null) {
      return;
    }
    if (error == null) {
      f.complete(value);
    } else {
      f.completeExceptionally(error);
    }
  }

  private InferenceException retired() {
    return InferenceException.unavailable("version '" + version + "' of model '" + model
        + "' was unloaded (replaced or no longer served); retry the request");
  }
}
