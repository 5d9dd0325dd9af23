package io.mlserve.server.alerts;

import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.metrics.PrometheusText;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signals alert rules read ({@link SignalNames}), computed from periodic snapshots of the
 * same cumulative series {@code /metrics} exports, as PromQL computes them from scrapes:
 *
 * <ul>
 *   <li>each {@link #sample} (one per tick, on the alert thread) snapshots, per served version,
 *       the request counts by outcome ({@code mlserve_requests_total}) and the total-phase
 *       latency buckets ({@code mlserve_request_duration_seconds_bucket{phase="total"}}), and
 *       the process's CPU time, into a bounded ring per version;
 *   <li>over a window, the increase is the newest snapshot minus the newest one taken at least
 *       the window before it (the oldest one while the ring holds less history); the latency
 *       quantiles are {@code histogram_quantile} of the bucket increases ({@link
 *       HistogramQuantile}); {@code error_rate} is failures over requests that were not
 *       cancelled; {@code request_rate} is every request (any outcome) per second of the span
 *       between the two snapshots; {@code cpu_utilization} is CPU seconds per second over the
 *       limit. With no request in the window the latency quantiles and the error rate are
 *       empty (PromQL: NaN, no alert), the request rate is 0;
 *   <li>{@code queue_depth}, {@code memory_utilization} and the GPU's memory are read now; the
 *       drift signals are the version's latest drift figures ({@link DriftSignals});
 *       {@code gpu_utilization} is always empty (see {@link DjlGpuProbe}).
 * </ul>
 *
 * A ring holds {@code min(longest window, 1 h) / tick + 2} snapshots (at most
 * {@value #MAX_SNAPSHOTS}); a version no longer sampled is forgotten. Nothing here runs on the
 * request path: the counters and histograms are read as a scrape reads them. This class is
 * thread-safe.
 */
public final class MetricsWindow implements Signals {
  /** The longest window the rings keep history for. */
  public static final Duration MAX_WINDOW = Duration.ofHours(1);
  static final int MAX_SNAPSHOTS = 4096;
  private static final double[] BOUNDS_S = PrometheusText.latencyBucketsSeconds();
  private static final int OUTCOMES = ModelMetrics.OUTCOMES.length;
  private static final int CANCELLED = OUTCOMES - 1;

  private final DriftSignals drift;
  private final ResourceUsage resources;
  private final Clock clock;
  private final int capacity;
  private final Map<Scope, Ring> versions = new ConcurrentHashMap<>();
  private final Ring process;

  /**
   * @param tick how often {@link #sample} is called
   * @param longestWindow the longest window any rule reads
   */
  public MetricsWindow(DriftSignals drift, ResourceUsage resources, Clock clock, Duration tick,
      Duration longestWindow) {
    this.drift = Objects.requireNonNull(drift, "drift");
    this.resources = Objects.requireNonNull(resources, "resources");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.capacity = capacity(tick, longestWindow);
    this.process = new Ring(capacity, null);
  }

  /** Snapshots kept per version for {@code longestWindow} at one per {@code tick}. */
  static int capacity(Duration tick, Duration longestWindow) {
    if (tick.isNegative() || tick.isZero()) {
      throw new IllegalArgumentException("tick must be positive, got " + tick);
    }
    long window = Math.min(longestWindow.toMillis(), MAX_WINDOW.toMillis());
    long n = (window + tick.toMillis() - 1) / tick.toMillis() + 2;
    return (int) Math.min(MAX_SNAPSHOTS, Math.max(2, n));
  }

  /** The number of snapshots each ring keeps. */
  public int capacity() {
    return capacity;
  }

  /**
   * Takes one snapshot of each served version in {@code served} and of the process, now; the
   * history of versions not in {@code served} is dropped.
   */
  public void sample(Map<Scope, ModelMetrics> served) {
    long now = clock.millis();
    versions.keySet().retainAll(served.keySet());
    served.forEach((scope, m) -> {
      if (scope.isProcess()) {
        return;
      }
      Ring ring = versions.compute(scope,
          (s, r) -> r == null || r.metrics != m ? new Ring(capacity, m) : r);
      long[] counts = PrometheusText.latencyBucketCounts(m.total().snapshot());
      long[] row = new long[1 + OUTCOMES + counts.length];
      row[0] = now;
      for (int o = 0; o < OUTCOMES; o++) {
        row[1 + o] = m.outcomeCount(o);
      }
      System.arraycopy(counts, 0, row, 1 + OUTCOMES, counts.length);
      ring.add(row);
    });
    process.add(new long[] {now, resources.processCpuNanos()});
  }

  @Override
  public OptionalDouble value(String signal, Scope scope, Duration window) {
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(window, "window");
    if (scope.isProcess()) {
      return processSignal(signal, window);
    }
    return switch (signal) {
      case SignalNames.DRIFT_SHARE, SignalNames.FEATURE_PSI_MAX, SignalNames.FEATURE_KS_MAX,
          SignalNames.PREDICTION_PSI_MAX, SignalNames.PERFORMANCE_DRIFT ->
          drift.value(signal, scope.model(), scope.version());
      default -> requestSignal(signal, scope, window);
    };
  }

  private OptionalDouble requestSignal(String signal, Scope scope, Duration window) {
    Ring ring = versions.get(scope);
    if (ring == null) {
      return OptionalDouble.empty();
    }
    if (signal.equals(SignalNames.QUEUE_DEPTH)) {
      return OptionalDouble.of(ring.metrics.queueDepth());
    }
    long[][] span = ring.span(window.toMillis());
    if (span == null) {
      return OptionalDouble.empty();
    }
    long[] base = span[0];
    long[] last = span[1];
    long requests = 0;
    long failures = 0;
    for (int o = 0; o < OUTCOMES; o++) {
      long d = Math.max(0, last[1 + o] - base[1 + o]);
      requests += d;
      if (o != 0 && o != CANCELLED) {
        failures += d;
      }
    }
    long answered = requests - Math.max(0, last[1 + CANCELLED] - base[1 + CANCELLED]);
    return switch (signal) {
      case SignalNames.REQUEST_RATE -> OptionalDouble.of(requests * 1000.0 / (last[0] - base[0]));
      case SignalNames.ERROR_RATE -> answered == 0 ? OptionalDouble.empty()
          : OptionalDouble.of((double) failures / answered);
      case SignalNames.LATENCY_P50_MS -> latencyMs(0.5, base, last);
      case SignalNames.LATENCY_P95_MS -> latencyMs(0.95, base, last);
      case SignalNames.LATENCY_P99_MS -> latencyMs(0.99, base, last);
      default -> OptionalDouble.empty();
    };
  }

  private static OptionalDouble latencyMs(double q, long[] base, long[] last) {
    long[] increase = new long[BOUNDS_S.length + 1];
    for (int i = 0; i < increase.length; i++) {
      increase[i] = Math.max(0, last[1 + OUTCOMES + i] - base[1 + OUTCOMES + i]);
    }
    double s = HistogramQuantile.quantile(q, BOUNDS_S, increase);
    return Double.isNaN(s) ? OptionalDouble.empty() : OptionalDouble.of(s * 1000);
  }

  private OptionalDouble processSignal(String signal, Duration window) {
    switch (signal) {
      case SignalNames.CPU_UTILIZATION: {
        long[][] span = process.span(window.toMillis());
        return span == null ? OptionalDouble.empty()
            : resources.cpuUtilization(span[0][1], span[0][0] * 1_000_000, span[1][1],
                span[1][0] * 1_000_000);
      }
      case SignalNames.MEMORY_UTILIZATION:
        return resources.memoryUtilization();
      case SignalNames.GPU_MEMORY_UTILIZATION: {
        double max = Double.NaN;
        for (GpuProbe.Gpu g : resources.gpus()) {
          if (g.totalBytes() > 0) {
            double u = (double) g.usedBytes() / g.totalBytes();
            max = Double.isNaN(max) ? u : Math.max(max, u);
          }
        }
        return Double.isNaN(max) ? OptionalDouble.empty() : OptionalDouble.of(max);
      }
      default:
        return OptionalDouble.empty();
    }
  }

  /** A bounded ring of snapshots, oldest first; each row starts with its time (epoch ms). */
  private static final class Ring {
    final ModelMetrics metrics;
    // @GuardedBy("this")
    private final long[][] rows;
    // @GuardedBy("this")
    private int next;
    // @GuardedBy("this")
    private int size;

    Ring(int capacity, ModelMetrics metrics) {
      this.rows = new long[capacity][];
      this.metrics = metrics;
    }

    synchronized void add(long[] row) {
      rows[next] = row;
      next = (next + 1) % rows.length;
      size = Math.min(size + 1, rows.length);
    }

    private long[] at(int i) { // i-th oldest
      return rows[(next - size + i + rows.length) % rows.length];
    }

    /**
     * The newest snapshot taken at least {@code windowMillis} before the newest (or the oldest
     * one when none is that old) and the newest; null with fewer than two snapshots or no time
     * between them.
     */
    synchronized long[][] span(long windowMillis) {
      if (size < 2) {
        return null;
      }
      long[] last = at(size - 1);
      long[] base = at(0);
      for (int i = size - 2; i >= 0; i--) {
        if (at(i)[0] <= last[0] - windowMillis) {
          base = at(i);
          break;
        }
      }
      return base[0] < last[0] ? new long[][] {base, last} : null;
    }
  }
}
