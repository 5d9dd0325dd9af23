package io.mlserve.server.metrics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Holds the {@link ModelMetrics} of every model version this process has served, so that a
 * scrape sees each version once, including versions already unloaded (their counters stay, as
 * Prometheus counters must not go backwards while the process lives); and those of each model's
 * shadow instance while it runs (its own batcher and metrics, apart from the version's series).
 *
 * <p>This class is thread-safe.
 */
public final class MetricsRegistry {
  private final Map<String, ModelMetrics> byVersion = new ConcurrentHashMap<>();
  /** Per model, its running shadow instance's metrics: one per model at most. */
  private final Map<String, ModelMetrics> shadowInstances = new ConcurrentHashMap<>();
  private final LongAdder unrouted = new LongAdder();
  /** Transport names come from code (grpc, http, http-batch), not from requests; still capped. */
  static final int MAX_TRANSPORTS = 16;
  private final Map<String, LongAdder> byTransport = new ConcurrentHashMap<>();
  private final Clock clock;

  /** A registry whose versions read the time of their last inference from the system clock. */
  public MetricsRegistry() {
    this(Clock.systemUTC());
  }

  /** @param clock where each version reads the time of its last inference */
  public MetricsRegistry(Clock clock) {
    this.clock = java.util.Objects.requireNonNull(clock, "clock");
  }

  /** The metrics of a model version, created on first use. */
  public ModelMetrics forVersion(String model, String version) {
    return byVersion.computeIfAbsent(model + "\u0000" + version,
        k -> new ModelMetrics(model, version, clock));
  }

  /** Every version's metrics. */
  public List<ModelMetrics> all() {
    return new ArrayList<>(byVersion.values());
  }

  /**
   * Records the metrics of {@code model}'s shadow instance from now on (null: it has none).
   * A replaced instance's counters go with it, as the shadow's own counters do.
   */
  public void shadowInstance(String model, ModelMetrics metrics) {
    if (metrics == null) {
      shadowInstances.remove(model);
    } else {
      shadowInstances.put(model, metrics);
    }
  }

  /** The metrics of every running shadow instance, by model name. */
  public List<ModelMetrics> shadowInstances() {
    return new ArrayList<>(new java.util.TreeMap<>(shadowInstances).values());
  }

  /** A request named a model or version that is not served. */
  public void recordUnrouted() {
    unrouted.increment();
  }

  public long unrouted() {
    return unrouted.sum();
  }

  /**
   * A version answered a request that came over {@code transport}. Past
   * {@value #MAX_TRANSPORTS} names, the rest count as {@code other}.
   */
  public void recordTransport(String transport) {
    LongAdder n = byTransport.get(transport);
    if (n == null) {
      n = byTransport.computeIfAbsent(
          byTransport.size() < MAX_TRANSPORTS - 1 ? transport : "other", k -> new LongAdder());
    }
    n.increment();
  }

  /** Requests answered per transport since start. */
  public Map<String, Long> transportRequests() {
    Map<String, Long> out = new java.util.TreeMap<>();
    byTransport.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
