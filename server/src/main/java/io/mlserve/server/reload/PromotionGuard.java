package io.mlserve.server.reload;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.model.ServedModel;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Watches each version the {@link ReloadCoordinator} swaps into Production for a window after
 * the swap, and rolls it back the same zero-downtime way when its error rate or p95 latency
 * breaks the model's {@link GuardPolicy}. Only requests since the swap count: it keeps the
 * counters and latency histogram as they were at the swap and compares against those.
 *
 * <p>Checks run on one scheduler thread, once per {@code checkEvery}, or when {@link #checkNow}
 * is called (tests). This class is thread-safe.
 */
public final class PromotionGuard implements AutoCloseable {
  /** What was recorded at the swap. */
  private record Watch(
      ServedModel model, String previousVersion, long startNanos, long okAtStart,
      long failedAtStart, Histogram latencyAtStart, GuardPolicy policy) {}

  private final ReloadCoordinator coordinator;
  private final Function<String, GuardPolicy> policies;
  private final Ticker ticker;
  private final Map<String, Watch> watches = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;

  /**
   * @param policies the policy of each model (by name)
   * @param checkEveryMillis how often to check; 0 starts no scheduler (tests call checkNow)
   */
  public PromotionGuard(ReloadCoordinator coordinator, Function<String, GuardPolicy> policies,
      Ticker ticker, long checkEveryMillis) {
    this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
    this.policies = Objects.requireNonNull(policies, "policies");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    if (checkEveryMillis > 0) {
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mlserve-promotion-guard");
        t.setDaemon(true);
        return t;
      });
      scheduler.scheduleWithFixedDelay(this::checkNow, checkEveryMillis, checkEveryMillis,
          TimeUnit.MILLISECONDS);
    } else {
      scheduler = null;
    }
  }

  /** Starts watching a version that just replaced {@code previousVersion}. */
  public void watch(ServedModel model, String previousVersion) {
    GuardPolicy policy = policies.apply(model.name());
    if (policy.window().isZero()) {
      watches.remove(model.name());
      return;
    }
    ModelMetrics m = model.metrics();
    watches.put(model.name(), new Watch(model, previousVersion, ticker.nanoTime(),
        m.outcomeCount(0), m.failures(), m.total().snapshot(), policy));
  }

  /** Models under watch now. */
  public int watching() {
    return watches.size();
  }

  /** Checks every watched version once. */
  public void checkNow() {
    long now = ticker.nanoTime();
    for (Watch w : watches.values()) {
      if (now - w.startNanos() > w.policy().window().toNanos() || w.model().closed()) {
        watches.remove(w.model().name(), w);
        continue;
      }
      String reason = verdict(w);
      if (reason != null) {
        watches.remove(w.model().name(), w);
        coordinator.rollBack(w.model().name(), w.model().version(), w.previousVersion(), reason);
      }
    }
  }

  private static String verdict(Watch w) {
    ModelMetrics m = w.model().metrics();
    long ok = m.outcomeCount(0) - w.okAtStart();
    long failed = m.failures() - w.failedAtStart();
    long total = ok + failed;
    if (total < w.policy().minRequests()) {
      return null;
    }
    double errorRate = (double) failed / total;
    if (errorRate > w.policy().maxErrorRate()) {
      return String.format(Locale.ROOT,
          "post-promotion guard: error rate %.2f%% over %d requests exceeds %.2f%%",
          errorRate * 100, total, w.policy().maxErrorRate() * 100);
    }
    Histogram since = m.total().snapshot();
    since.subtract(w.latencyAtStart());
    if (since.getTotalCount() >= w.policy().minRequests()) {
      long p95Micros = since.getValueAtPercentile(95);
      if (p95Micros > TimeUnit.NANOSECONDS.toMicros(w.policy().maxP95().toNanos())) {
        return String.format(Locale.ROOT,
            "post-promotion guard: p95 latency %.1f ms over %d requests exceeds %d ms",
            p95Micros / 1000.0, since.getTotalCount(), w.policy().maxP95().toMillis());
      }
    }
    return null;
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
