package io.mlserve.server.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Renders the metrics in the Prometheus text exposition format (version 0.0.4): per model
 * version, request counts by outcome, latency histograms and quantiles for the total, queue and
 * compute phases (from HdrHistogram), batch sizes, queue depth and in-flight requests; each
 * model's reload state ({@code mlserve_model_state}, when a supplier of states is given); and
 * the process (CPU, resident memory) and JVM (memory, GC, threads).
 *
 * <p>This class is thread-safe; each call renders a fresh snapshot.
 */
public final class PrometheusText {
  /** The content type a scrape must be answered with. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  // 0.2 s is a boundary so that the default alert's p95 > 200 ms is decided exactly there.
  private static final double[] LATENCY_BUCKETS_S = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2.5,
    5, 10
  };
  private static final double[] QUANTILES = {0.5, 0.9, 0.95, 0.99, 0.999};
  private static final String[] PHASES = {"total", "queue", "compute"};

  private final MetricsRegistry registry;
  private final BooleanSupplier ready;
  private final Supplier<Map<String, String>> modelStates;
  private final long startMillis = ManagementFactory.getRuntimeMXBean().getStartTime();

  public PrometheusText(MetricsRegistry registry, BooleanSupplier ready) {
    this(registry, ready, Map::of);
  }

  /**
   * @param modelStates each model's current reload state (model name to a state such as
   *     {@code SERVING} or {@code RELOAD_FAILED}), rendered as {@code mlserve_model_state}
   */
  public PrometheusText(MetricsRegistry registry, BooleanSupplier ready,
      Supplier<Map<String, String>> modelStates) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.ready = Objects.requireNonNull(ready, "ready");
    this.modelStates = Objects.requireNonNull(modelStates, "modelStates");
  }

  /** One complete exposition. */
  public String render() {
    StringBuilder out = new StringBuilder(8192);
    List<ModelMetrics> models = registry.all();
    models.sort(Comparator.comparing(ModelMetrics::model).thenComparing(ModelMetrics::version));
    Histogram[][] latency = new Histogram[models.size()][PHASES.length];
    double[][] sums = new double[models.size()][PHASES.length];
    for (int i = 0; i < models.size(); i++) {
      ModelMetrics m = models.get(i);
      LatencyTracker[] trackers = {m.total(), m.queue(), m.compute()};
      for (int p = 0; p < PHASES.length; p++) {
        latency[i][p] = trackers[p].snapshot();
        sums[i][p] = trackers[p].sumSeconds();
      }
    }

    header(out, "mlserve_up", "gauge", "1 when the server is ready to serve.");
    out.append("mlserve_up ").append(ready.getAsBoolean() ? 1 : 0).append('\n');

    header(out, "mlserve_model_state", "gauge",
        "1 for each model's current reload state (LOADING, SERVING, RELOAD_FAILED, ROLLED_BACK,"
            + " STAGING_FAILED, NOT_SERVING).");
    new TreeMap<>(modelStates.get()).forEach((model, state) ->
        out.append("mlserve_model_state{model=\"").append(escape(model)).append("\",state=\"")
            .append(escape(state)).append("\"} 1\n"));

    header(out, "mlserve_model_device", "gauge",
        "1 for the device that serves each model version (cpu, gpu0, ...); a GPU version"
            + " allowed to fall back to the CPU says cpu.");
    for (ModelMetrics m : models) {
      if (m.device() != null) {
        out.append("mlserve_model_device{").append(labels(m)).append(",device=\"")
            .append(escape(m.device())).append("\"} 1\n");
      }
    }

    header(out, "mlserve_requests_total", "counter",
        "Inference requests that reached a model version, by outcome.");
    for (ModelMetrics m : models) {
      for (int o = 0; o < ModelMetrics.OUTCOMES.length; o++) {
        out.append("mlserve_requests_total{").append(labels(m))
            .append(",outcome=\"").append(ModelMetrics.OUTCOMES[o]).append("\"} ")
            .append(m.outcomeCount(o)).append('\n');
      }
    }
    header(out, "mlserve_requests_unrouted_total", "counter",
        "Requests for a model or version that is not served.");
    out.append("mlserve_requests_unrouted_total ").append(registry.unrouted()).append('\n');

    header(out, "mlserve_request_duration_seconds", "histogram",
        "Request latency by phase: total (enqueue to result), queue (waiting for a batch), "
            + "compute (the engine's time for the request's batch).");
    for (int i = 0; i < models.size(); i++) {
      for (int p = 0; p < PHASES.length; p++) {
        histogram(out, "mlserve_request_duration_seconds",
            labels(models.get(i)) + ",phase=\"" + PHASES[p] + "\"", latency[i][p], sums[i][p]);
      }
    }

    header(out, "mlserve_request_latency_seconds", "summary",
        "Request latency quantiles by phase since start (HdrHistogram, 3 significant digits).");
    for (int i = 0; i < models.size(); i++) {
      for (int p = 0; p < PHASES.length; p++) {
        String l = labels(models.get(i)) + ",phase=\"" + PHASES[p] + "\"";
        Histogram h = latency[i][p];
        for (double q : QUANTILES) {
          out.append("mlserve_request_latency_seconds{").append(l).append(",quantile=\"")
              .append(q).append("\"} ")
              .append(seconds(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(q * 100)))
              .append('\n');
        }
        out.append("mlserve_request_latency_seconds_sum{").append(l).append("} ")
            .append(num(sums[i][p])).append('\n');
        out.append("mlserve_request_latency_seconds_count{").append(l).append("} ")
            .append(h.getTotalCount()).append('\n');
      }
    }

    header(out, "mlserve_batch_size", "histogram", "Rows per batch run on the engine.");
    for (ModelMetrics m : models) {
      Histogram h = m.batchSizes();
      StringBuilder buckets = new StringBuilder();
      long sum = 0;
      for (org.HdrHistogram.HistogramIterationValue v : h.recordedValues()) {
        sum += v.getValueIteratedTo() * v.getCountAtValueIteratedTo();
      }
      for (int le = 1; le <= 1024; le *= 2) {
        buckets.append("mlserve_batch_size_bucket{").append(labels(m)).append(",le=\"")
            .append(le).append("\"} ").append(h.getCountBetweenValues(0, le)).append('\n');
      }
      out.append(buckets);
      out.append("mlserve_batch_size_bucket{").append(labels(m)).append(",le=\"+Inf\"} ")
          .append(h.getTotalCount()).append('\n');
      out.append("mlserve_batch_size_sum{").append(labels(m)).append("} ").append(sum)
          .append('\n');
      out.append("mlserve_batch_size_count{").append(labels(m)).append("} ")
          .append(h.getTotalCount()).append('\n');
    }

    gaugePerModel(out, models, "mlserve_queue_depth", "Requests waiting in the batcher queue.",
        m -> m.queueDepth());
    gaugePerModel(out, models, "mlserve_instances",
        "Batcher workers of a model version now (autoscaled between min and max).",
        m -> m.instances());
    gaugePerModel(out, models, "mlserve_instances_min",
        "The fewest batcher workers autoscaling keeps.", m -> m.minInstances());
    gaugePerModel(out, models, "mlserve_instances_max",
        "The most batcher workers autoscaling starts.", m -> m.maxInstances());
    List<ModelMetrics> shadows = registry.shadowInstances();
    gaugePerModel(out, models, "mlserve_model_loaded",
        "1 while a model version's engine is loaded; 0 once it was unloaded after being idle"
            + " (it loads again on its next request) or retired. role=\"shadow\": the model's"
            + " shadow instance.", m -> m.loaded());
    perShadow(out, shadows, "mlserve_model_loaded", m -> m.loaded());
    counterPerModel(out, models, "mlserve_model_unloads_total",
        "Times a version's engine was unloaded after serving no request for its idle timeout."
            + " role=\"shadow\": the model's shadow instance (from its start).",
        ModelMetrics::unloads);
    perShadow(out, shadows, "mlserve_model_unloads_total", ModelMetrics::unloads);
    counterPerModel(out, models, "mlserve_model_reloads_total",
        "Times a version unloaded while idle was loaded again by a request."
            + " role=\"shadow\": the model's shadow instance (from its start).",
        ModelMetrics::reloads);
    perShadow(out, shadows, "mlserve_model_reloads_total", ModelMetrics::reloads);
    gaugePerModel(out, models, "mlserve_requests_in_flight",
        "Requests accepted by a model version and not yet answered.", ModelMetrics::inFlight);
    counterPerModel(out, models, "mlserve_requests_expired_total",
        "Requests dropped before inference because their deadline passed.",
        ModelMetrics::expired);
    counterPerModel(out, models, "mlserve_requests_rejected_total",
        "Requests refused at once: the queue was full, or its estimated wait reached"
            + " queue_timeout_us.", ModelMetrics::rejected);
    counterPerModel(out, models, "mlserve_requests_queue_timeout_total",
        "Requests dropped from the queue after waiting longer than queue_timeout_us.",
        ModelMetrics::queueTimeouts);

    processAndJvm(out);
    return out.toString();
  }

  private interface LongOf {
    long of(ModelMetrics m);
  }

  private static void gaugePerModel(
      StringBuilder out, List<ModelMetrics> models, String name, String help, LongOf f) {
    header(out, name, "gauge", help);
    for (ModelMetrics m : models) {
      out.append(name).append('{').append(labels(m)).append("} ").append(f.of(m)).append('\n');
    }
  }

  private static void counterPerModel(
      StringBuilder out, List<ModelMetrics> models, String name, String help, LongOf f) {
    header(out, name, "counter", help);
    for (ModelMetrics m : models) {
      out.append(name).append('{').append(labels(m)).append("} ").append(f.of(m)).append('\n');
    }
  }

  /** The lines of {@code name} for shadow instances, in the family just opened. */
  private static void perShadow(
      StringBuilder out, List<ModelMetrics> shadows, String name, LongOf f) {
    for (ModelMetrics m : shadows) {
      out.append(name).append('{').append(labels(m)).append(",role=\"shadow\"} ")
          .append(f.of(m)).append('\n');
    }
  }

  /** The upper bounds ({@code le}) of the latency histogram's finite buckets, in seconds. */
  public static double[] latencyBucketsSeconds() {
    return LATENCY_BUCKETS_S.clone();
  }

  /**
   * The cumulative counts of {@code h} (microseconds) in the latency buckets as
   * {@code mlserve_request_duration_seconds_bucket} exports them: one per
   * {@link #latencyBucketsSeconds()} bound, then the total ({@code le="+Inf"}).
   */
  public static long[] latencyBucketCounts(Histogram h) {
    long[] counts = new long[LATENCY_BUCKETS_S.length + 1];
    for (int i = 0; i < LATENCY_BUCKETS_S.length; i++) {
      counts[i] = h.getCountBetweenValues(0, Math.round(LATENCY_BUCKETS_S[i] * 1e6));
    }
    counts[LATENCY_BUCKETS_S.length] = h.getTotalCount();
    return counts;
  }

  private static void histogram(
      StringBuilder out, String name, String labels, Histogram h, double sumSeconds) {
    long[] counts = latencyBucketCounts(h);
    for (int i = 0; i < LATENCY_BUCKETS_S.length; i++) {
      out.append(name).append("_bucket{").append(labels).append(",le=\"")
          .append(num(LATENCY_BUCKETS_S[i])).append("\"} ").append(counts[i]).append('\n');
    }
    out.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ")
        .append(h.getTotalCount()).append('\n');
    out.append(name).append("_sum{").append(labels).append("} ").append(num(sumSeconds))
        .append('\n');
    out.append(name).append("_count{").append(labels).append("} ").append(h.getTotalCount())
        .append('\n');
  }

  private void processAndJvm(StringBuilder out) {
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      header(out, "process_cpu_seconds_total", "counter", "CPU time used by the process.");
      out.append("process_cpu_seconds_total ").append(num(sun.getProcessCpuTime() / 1e9))
          .append('\n');
    }
    long rss = residentBytes();
    if (rss >= 0) {
      header(out, "process_resident_memory_bytes", "gauge",
          "Resident memory of the process, native (torch) memory included.");
      out.append("process_resident_memory_bytes ").append(rss).append('\n');
    }
    header(out, "process_start_time_seconds", "gauge", "Start time since the epoch.");
    out.append("process_start_time_seconds ").append(num(startMillis / 1000.0)).append('\n');

    var mem = ManagementFactory.getMemoryMXBean();
    header(out, "jvm_memory_used_bytes", "gauge", "JVM memory in use by area.");
    MemoryUsage heap = mem.getHeapMemoryUsage();
    MemoryUsage nonHeap = mem.getNonHeapMemoryUsage();
    out.append("jvm_memory_used_bytes{area=\"heap\"} ").append(heap.getUsed()).append('\n');
    out.append("jvm_memory_used_bytes{area=\"nonheap\"} ").append(nonHeap.getUsed()).append('\n');
    header(out, "jvm_memory_committed_bytes", "gauge", "JVM memory committed by area.");
    out.append("jvm_memory_committed_bytes{area=\"heap\"} ").append(heap.getCommitted())
        .append('\n');
    out.append("jvm_memory_committed_bytes{area=\"nonheap\"} ").append(nonHeap.getCommitted())
        .append('\n');
    header(out, "jvm_memory_max_bytes", "gauge", "JVM maximum heap (-1 when undefined).");
    out.append("jvm_memory_max_bytes{area=\"heap\"} ").append(heap.getMax()).append('\n');

    header(out, "jvm_gc_collection_seconds", "summary", "Time spent in each garbage collector.");
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      String l = "gc=\"" + escape(gc.getName()) + "\"";
      out.append("jvm_gc_collection_seconds_count{").append(l).append("} ")
          .append(Math.max(0, gc.getCollectionCount())).append('\n');
      out.append("jvm_gc_collection_seconds_sum{").append(l).append("} ")
          .append(num(Math.max(0, gc.getCollectionTime()) / 1000.0)).append('\n');
    }
    header(out, "jvm_threads_current", "gauge", "Live JVM threads.");
    out.append("jvm_threads_current ").append(ManagementFactory.getThreadMXBean().getThreadCount())
        .append('\n');
  }

  /** Resident memory of the process (/proc/self/status, native included); -1 if unknown. */
  public static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[1]) * 1024;
        }
      }
    } catch (Exception e) {
      // not Linux: leave the metric out
    }
    return -1;
  }

  /** The HELP and TYPE lines of a family (for the renderers of other packages' metrics). */
  public static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static String labels(ModelMetrics m) {
    return "model=\"" + escape(m.model()) + "\",version=\"" + escape(m.version()) + "\"";
  }

  /** A label value escaped as the text format requires. */
  public static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String seconds(long micros) {
    return num(micros / 1e6);
  }

  /** A sample value: integers without a fraction, others to 9 significant digits. */
  public static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.9g", v).replaceAll("0+$", "").replaceAll("\\.$", "");
  }
}
