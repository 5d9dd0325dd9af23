package io.mlserve.server.model;

import io.mlserve.server.batch.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unloads the engines of served versions that went without a request for their idle timeout
 * ({@code serving.idle_unload_seconds}, else the server's {@code --idle-unload-seconds}); the
 * next request to such a version loads it again ({@link ServedModel}).
 *
 * <p>Which versions may be unloaded: every version the router holds or shadows (Staging,
 * Deprecated versions loaded on demand, versions loaded through the repository API, shadows)
 * EXCEPT a model's Production version and every arm of its traffic split (a canary's stable and
 * candidate included): unversioned traffic must never wait for a load.
 *
 * <p>A sweep runs on {@code sweepOn}, the reload coordinator's thread, so it never interleaves
 * with a route change (a version being made Production or a split arm is either exempt when the
 * sweep looks, or the route change loads it first). Sweeps come every
 * {@link #SWEEP_INTERVAL_MILLIS} ms and never pile up behind a long load. This class is
 * thread-safe.
 */
public final class IdleUnloader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IdleUnloader.class);

  /** How often idle versions are looked for. */
  public static final long SWEEP_INTERVAL_MILLIS = 1000;

  private final ModelRouter router;
  private final Ticker ticker;
  private final Executor sweepOn;
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile ScheduledExecutorService timer;

  /**
   * @param ticker the clock idle time is measured on (the same as the versions' batchers)
   * @param sweepOn where each sweep runs (the reload coordinator's thread)
   */
  public IdleUnloader(ModelRouter router, Ticker ticker, Executor sweepOn) {
    this.router = Objects.requireNonNull(router, "router");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.sweepOn = Objects.requireNonNull(sweepOn, "sweepOn");
  }

  /** Starts sweeping every {@link #SWEEP_INTERVAL_MILLIS} ms. */
  public synchronized void start() {
    if (timer != null) {
      return;
    }
    ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread th = new Thread(r, "mlserve-idle-unload");
      th.setDaemon(true);
      return th;
    });
    t.scheduleWithFixedDelay(this::schedule, SWEEP_INTERVAL_MILLIS, SWEEP_INTERVAL_MILLIS,
        TimeUnit.MILLISECONDS);
    timer = t;
  }

  private void schedule() {
    if (!queued.compareAndSet(false, true)) {
      return; // the last sweep still waits for the reload thread
    }
    try {
      sweepOn.execute(() -> {
        queued.set(false);
        try {
          sweep();
        } catch (RuntimeException e) {
          log.error("idle unload sweep failed", e);
        }
      });
    } catch (RejectedExecutionException e) {
      queued.set(false); // shutting down
    }
  }

  /**
   * One pass: starts the unload of every version whose role allows it and whose idle timeout
   * has passed.
   *
   * @return the versions whose unload started, as {@code name:version}
   */
  public List<String> sweep() {
    long now = ticker.nanoTime();
    List<String> unloaded = new ArrayList<>();
    for (String name : router.modelNames()) {
      List<ServedModel> candidates = new ArrayList<>();
      for (String v : router.versions(name)) {
        ServedModel m = router.loaded(name, v);
        if (m != null && !exempt(router, m)) {
          candidates.add(m);
        }
      }
      ServedModel shadow = router.shadow(name);
      if (shadow != null) {
        candidates.add(shadow);
      }
      for (ServedModel m : candidates) {
        if (m.unloadIfIdle(now)) {
          unloaded.add(m.label());
        }
      }
    }
    return unloaded;
  }

  /** Whether unversioned traffic reaches {@code m}: Production, or an arm of the split. */
  static boolean exempt(ModelRouter router, ServedModel m) {
    ArmTable arms = router.arms(m.name());
    return m == router.defaultVersion(m.name()) || (arms != null && arms.contains(m));
  }

  @Override
  public synchronized void close() {
    ScheduledExecutorService t = timer;
    if (t != null) {
      t.shutdownNow();
      timer = null;
    }
  }
}
