package io.mlserve.server.alerts;

import java.util.Set;

/**
 * The vocabulary alert rule expressions are written in: each name is one figure the server
 * computes itself ({@link Signals}) and that the exported Prometheus rules compute from the
 * scraped metrics with the same meaning. Model signals are per served model version; process
 * signals are per server process.
 */
public final class SignalNames {
  private SignalNames() {}

  // Per model version, over the rule's window (from mlserve_request_duration_seconds and
  // mlserve_requests_total, the same buckets and counts a scrape sees).
  public static final String LATENCY_P50_MS = "latency_p50_ms";
  public static final String LATENCY_P95_MS = "latency_p95_ms";
  public static final String LATENCY_P99_MS = "latency_p99_ms";
  /** Failed requests over requests in the window (cancelled ones count as neither), 0..1. */
  public static final String ERROR_RATE = "error_rate";
  /** Requests per second over the window. */
  public static final String REQUEST_RATE = "request_rate";
  /** Requests waiting in the batcher queue now. */
  public static final String QUEUE_DEPTH = "queue_depth";

  // Per model version, from the latest drift computation (DriftSnapshot).
  public static final String DRIFT_SHARE = "drift_share";
  public static final String FEATURE_PSI_MAX = "feature_psi_max";
  public static final String FEATURE_KS_MAX = "feature_ks_max";
  public static final String PREDICTION_PSI_MAX = "prediction_psi_max";
  public static final String PERFORMANCE_DRIFT = "performance_drift";

  // Per process.
  /** Process CPU over the window as a share of the CPU limit (cgroup quota, else cores), 0..1+. */
  public static final String CPU_UTILIZATION = "cpu_utilization";
  /** Resident memory as a share of the memory limit (cgroup, else the machine's), 0..1. */
  public static final String MEMORY_UTILIZATION = "memory_utilization";
  /** Busiest GPU's utilisation, 0..1 (only where the engine reports a GPU). */
  public static final String GPU_UTILIZATION = "gpu_utilization";
  /** Fullest GPU's memory in use as a share of its memory, 0..1 (only where reported). */
  public static final String GPU_MEMORY_UTILIZATION = "gpu_memory_utilization";

  public static final Set<String> MODEL = Set.of(LATENCY_P50_MS, LATENCY_P95_MS, LATENCY_P99_MS,
      ERROR_RATE, REQUEST_RATE, QUEUE_DEPTH, DRIFT_SHARE, FEATURE_PSI_MAX, FEATURE_KS_MAX,
      PREDICTION_PSI_MAX, PERFORMANCE_DRIFT);
  public static final Set<String> PROCESS = Set.of(CPU_UTILIZATION, MEMORY_UTILIZATION,
      GPU_UTILIZATION, GPU_MEMORY_UTILIZATION);

  // Exported gauges the process signals are read from in PromQL (ResourceUsage exports them).
  public static final String METRIC_CPU_LIMIT_CORES = "mlserve_cpu_limit_cores";
  public static final String METRIC_MEMORY_LIMIT_BYTES = "mlserve_memory_limit_bytes";
  public static final String METRIC_GPU_UTILIZATION = "mlserve_gpu_utilization_ratio";
  public static final String METRIC_GPU_MEMORY_USED = "mlserve_gpu_memory_used_bytes";
  public static final String METRIC_GPU_MEMORY_TOTAL = "mlserve_gpu_memory_total_bytes";
  // Exported drift gauges (DriftMetricsText exports them, labels model, version[, feature]).
  public static final String METRIC_DRIFT_SHARE = "mlserve_drift_features_drifted_ratio";
  public static final String METRIC_FEATURE_PSI = "mlserve_feature_drift_psi";
  public static final String METRIC_FEATURE_KS = "mlserve_feature_drift_ks";
  public static final String METRIC_FEATURE_PSI_MAX = "mlserve_feature_drift_psi_max";
  public static final String METRIC_FEATURE_KS_MAX = "mlserve_feature_drift_ks_max";
  public static final String METRIC_PREDICTION_PSI = "mlserve_prediction_drift_psi";
  public static final String METRIC_PREDICTION_PSI_MAX = "mlserve_prediction_drift_psi_max";
  public static final String METRIC_PERFORMANCE_DRIFT = "mlserve_performance_drift_ratio";
}
