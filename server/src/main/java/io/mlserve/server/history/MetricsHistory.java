package io.mlserve.server.history;

import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.store.FileOps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's metrics: a {@link MetricsSampler} ticking once a second on a thread of its own
 * (nothing on the request path), the {@link LiveRing} of the last {@link #LIVE_SECONDS} seconds,
 * and, unless disabled, the persisted {@link HistoryStore}. History reads scan files, so they
 * run on one reader thread with {@link #MAX_QUEUED_READS} waiting at most (more are refused,
 * never queued without bound).
 *
 * <p>This class is thread-safe.
 */
public final class MetricsHistory implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsHistory.class);
  /** The live window, in seconds. */
  public static final int LIVE_SECONDS = 300;
  /** The most series the live ring holds (300 doubles each: 4.8 MB at most). */
  public static final int MAX_LIVE_SERIES = 2000;
  static final int MAX_QUEUED_READS = 4;

  private final LiveRing live;
  private final HistoryStore store; // null: --no-history
  private final MetricsSampler sampler;
  private final Clock clock;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
      r -> daemon(r, "mlserve-metrics-sampler"));
  private final ThreadPoolExecutor reads = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
      new ArrayBlockingQueue<>(MAX_QUEUED_READS), r -> daemon(r, "mlserve-history-reads"));
  private final Object lifecycle = new Object();
  // @GuardedBy("lifecycle")
  private boolean closed;
  private long lastFailureLog = Long.MIN_VALUE / 2;

  /**
   * @param storeRoot the model store's root; null, or {@code limits} null: no persisted history
   */
  public MetricsHistory(MetricsRegistry registry, Path storeRoot, HistoryLimits limits,
      Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.live = new LiveRing(LIVE_SECONDS, MAX_LIVE_SERIES);
    this.store = storeRoot == null || limits == null ? null
        : new HistoryStore(storeRoot, limits, FileOps.DEFAULT);
    this.sampler = new MetricsSampler(registry, clock, live, store);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Samples now (the baseline), then every second, a few ms after each second starts. */
  public void start() {
    tick();
    long delay = 1000 - Math.floorMod(clock.millis(), 1000L) + 5;
    ticker.scheduleAtFixedRate(this::tick, delay, 1000, TimeUnit.MILLISECONDS);
  }

  /**
   * Takes one sample now, on the calling thread, for a caller that drives time itself (tests,
   * tools) instead of {@link #start}; never call both.
   */
  public void sampleNow() {
    sampler.tick();
  }

  private void tick() {
    try {
      sampler.tick();
    } catch (RuntimeException e) { // a bug, not I/O (the store logs and absorbs that)
      long now = clock.millis();
      if (now - lastFailureLog >= 600_000) {
        lastFailureLog = now;
        log.warn("metrics sampler: a tick failed; the next one tries again", e);
      }
    }
  }

  /** The live ring. */
  public LiveRing live() {
    return live;
  }

  /** Whether points are persisted (false with {@code --no-history}). */
  public boolean persisted() {
    return store != null;
  }

  /** The persisted history, or null when disabled. */
  public HistoryStore store() {
    return store;
  }

  /**
   * Reads history on the reader thread.
   *
   * @throws java.util.concurrent.RejectedExecutionException when {@link #MAX_QUEUED_READS}
   *     reads already wait
   * @throws IllegalStateException when history is disabled
   */
  public CompletableFuture<HistoryReader.Result> read(Resolution resolution, long fromSecond,
      long toSecond, int stepSeconds, Predicate<SeriesKey> which) {
    if (store == null) {
      throw new IllegalStateException("history is disabled");
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        return store.reader().read(resolution, fromSecond, toSecond, stepSeconds, which);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, reads);
  }

  /** The clock points are stamped with. */
  public Clock clock() {
    return clock;
  }

  /** Stops sampling, writes the open buckets, closes the files. Idempotent. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
    }
    ticker.shutdown();
    reads.shutdown();
    try {
      if (!ticker.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("metrics sampler: still running after 10 s; history not flushed");
        return;
      }
      reads.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    sampler.flush();
    if (store != null) {
      store.close();
    }
  }
}
