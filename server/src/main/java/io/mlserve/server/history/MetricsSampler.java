package io.mlserve.server.history;

import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.ModelMetrics;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns the cumulative counters the server keeps into one-second points, once a second, off the
 * request path: per model version {@code rate}, {@code error_rate}, {@code p50_ms},
 * {@code p95_ms}, {@code p99_ms} (of the second's requests: {@code LatencyTracker}'s interval
 * histogram, swapped out rather than copied), {@code batch_rows_mean}, {@code queue_depth},
 * {@code in_flight}; per process {@code cpu_ratio}, {@code rss_bytes}, {@code heap_bytes},
 * {@code gc_seconds_rate}, {@code threads}; per transport {@code transport_rate}. Rates divide
 * by the wall time between ticks. A second with no request has no latency or batch point.
 * Points go to the {@link LiveRing} and to each {@link Downsampler}, whose closed buckets go to
 * the {@link HistoryStore} (when there is one).
 *
 * <p>Not thread-safe: {@link #tick} runs on one thread at a time (the scheduler's, or a test's).
 */
public final class MetricsSampler {
  private static final double[] PERCENTILES = {50, 95, 99};
  /** A wall clock set back by more than this restarts the sampling (a new baseline). */
  static final long MAX_BACKWARD_MILLIS = 2_000;

  private final MetricsRegistry registry;
  private final ProcessProbe probe;
  private final Clock clock;
  private final LiveRing live;
  private final HistoryStore store; // null: live only
  private final List<Downsampler> downsamplers = new ArrayList<>();
  private final Map<ModelMetrics, Previous> previous = new HashMap<>();
  private final Map<String, Long> previousTransport = new HashMap<>();
  private final long[] micros = new long[PERCENTILES.length];
  private long lastMillis = Long.MIN_VALUE;
  private ProcessProbe.Reading lastProcess;

  private static final class Previous {
    long requests;
    long failures;
    long batches;
    long rows;
  }

  /**
   * @param store where downsampled buckets are written, or null to keep only the live ring
   */
  public MetricsSampler(MetricsRegistry registry, Clock clock, LiveRing live, HistoryStore store) {
    this(registry, new ProcessProbe(), clock, live, store);
  }

  MetricsSampler(MetricsRegistry registry, ProcessProbe probe, Clock clock, LiveRing live,
      HistoryStore store) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.probe = Objects.requireNonNull(probe, "probe");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.live = Objects.requireNonNull(live, "live");
    this.store = store;
    if (store != null) {
      store.resolutions().forEach(r -> downsamplers.add(new Downsampler(r)));
    }
  }

  /**
   * Takes one sample at the clock's time. The first tick only sets the baseline; a tick in the
   * same second as the previous one is skipped; after the wall clock was set back by more than
   * {@link #MAX_BACKWARD_MILLIS}, the next tick is a new baseline (and the live ring starts
   * over), so sampling never stalls until the clock catches up.
   *
   * @return the points taken (empty for a baseline or skipped tick)
   */
  public List<Point> tick() {
    long now = clock.millis();
    long second = Math.floorDiv(now, 1000L);
    if (lastMillis != Long.MIN_VALUE && now < lastMillis - MAX_BACKWARD_MILLIS) {
      lastMillis = Long.MIN_VALUE; // the wall clock was set back: start again from here
    }
    if (lastMillis != Long.MIN_VALUE && second <= Math.floorDiv(lastMillis, 1000L)) {
      return List.of();
    }
    double dt = lastMillis == Long.MIN_VALUE ? 0 : (now - lastMillis) / 1000.0;
    lastMillis = now;
    List<Point> points = new ArrayList<>(registry.all().size() * 8 + 8);
    versions(points, dt);
    process(points, dt);
    transports(points, dt);
    if (dt == 0) {
      return List.of();
    }
    live.put(second, points);
    for (Downsampler d : downsamplers) {
      List<Bucketed> closed = d.add(second, points);
      if (!closed.isEmpty()) {
        store.append(d.resolution(), closed, second);
      }
    }
    return points;
  }

  private void versions(List<Point> out, double dt) {
    for (ModelMetrics m : registry.all()) {
      Previous p = previous.get(m);
      if (p == null) {
        p = new Previous(); // created since the last tick: its counts are this interval's
        previous.put(m, p);
      }
      long requests = m.requestsTotal();
      long failures = m.failures();
      long batches = m.batches();
      long rows = m.batchRowsTotal();
      long dReq = requests - p.requests;
      long dFail = failures - p.failures;
      long dBatches = batches - p.batches;
      long dRows = rows - p.rows;
      p.requests = requests;
      p.failures = failures;
      p.batches = batches;
      p.rows = rows;
      if (dt == 0) {
        m.total().sampleQuantiles(PERCENTILES, micros); // start the interval here
        continue;
      }
      int queue = m.queueDepth();
      long inFlight = m.inFlight();
      boolean active = dReq > 0 || queue > 0 || inFlight > 0;
      String model = m.model();
      String version = m.version();
      out.add(point(Metric.RATE, model, version, dReq / dt, active));
      out.add(point(Metric.ERROR_RATE, model, version,
          dReq > 0 ? Math.min(1.0, (double) dFail / dReq) : 0, active));
      if (dReq > 0 && m.total().sampleQuantiles(PERCENTILES, micros) > 0) {
        out.add(point(Metric.P50_MS, model, version, micros[0] / 1000.0, active));
        out.add(point(Metric.P95_MS, model, version, micros[1] / 1000.0, active));
        out.add(point(Metric.P99_MS, model, version, micros[2] / 1000.0, active));
      }
      if (dBatches > 0) {
        out.add(point(Metric.BATCH_ROWS_MEAN, model, version, (double) dRows / dBatches,
            active));
      }
      out.add(point(Metric.QUEUE_DEPTH, model, version, queue, active));
      out.add(point(Metric.IN_FLIGHT, model, version, inFlight, active));
    }
  }

  private static Point point(Metric metric, String model, String version, double v,
      boolean active) {
    return new Point(SeriesKey.ofVersion(metric, model, version), v, active);
  }

  private void process(List<Point> out, double dt) {
    ProcessProbe.Reading r = probe.read();
    ProcessProbe.Reading before = lastProcess;
    lastProcess = r;
    if (dt == 0) {
      return;
    }
    if (r.cpuNanos() >= 0 && before.cpuNanos() >= 0) {
      out.add(processPoint(Metric.CPU_RATIO, (r.cpuNanos() - before.cpuNanos()) / 1e9 / dt));
    }
    if (r.rssBytes() >= 0) {
      out.add(processPoint(Metric.RSS_BYTES, r.rssBytes()));
    }
    out.add(processPoint(Metric.HEAP_BYTES, r.heapBytes()));
    out.add(processPoint(Metric.GC_SECONDS_RATE, (r.gcMillis() - before.gcMillis()) / 1e3 / dt));
    out.add(processPoint(Metric.THREADS, r.threads()));
  }

  private static Point processPoint(Metric metric, double v) {
    return new Point(SeriesKey.ofProcess(metric), v, true);
  }

  private void transports(List<Point> out, double dt) {
    for (Map.Entry<String, Long> e : registry.transportRequests().entrySet()) {
      Long before = previousTransport.put(e.getKey(), e.getValue());
      if (dt > 0) {
        long d = e.getValue() - (before == null ? 0 : before);
        out.add(new Point(SeriesKey.ofTransport(e.getKey()), d / dt, true));
      }
    }
  }

  /** Closes the open buckets and writes them (at shutdown, after the last tick). */
  public void flush() {
    if (store == null) {
      return;
    }
    long second = Math.floorDiv(clock.millis(), 1000L);
    for (Downsampler d : downsamplers) {
      List<Bucketed> closed = d.close();
      if (!closed.isEmpty()) {
        store.append(d.resolution(), closed, second);
      }
    }
  }
}
