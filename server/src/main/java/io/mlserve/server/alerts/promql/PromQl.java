package io.mlserve.server.alerts.promql;

import io.mlserve.server.alerts.AlertExpression;
import io.mlserve.server.alerts.AlertExpression.Comparison;
import io.mlserve.server.alerts.AlertExpression.Junction;
import io.mlserve.server.alerts.AlertExpression.Node;
import io.mlserve.server.alerts.PromDurations;
import io.mlserve.server.alerts.SignalNames;
import java.time.Duration;
import java.util.Map;

/**
 * Rule expressions in PromQL over the metrics the server exports, with the meaning the built-in
 * evaluator gives them. Model signals are aggregated {@code by (model, version)} (over every
 * server a Prometheus scrapes); process signals keep the series' own labels (one alert per
 * server process, e.g. by {@code job} and {@code instance}). Each comparison is PromQL's
 * filtering comparison, and {@code and}/{@code or} are PromQL's set operators, each side in
 * parentheses: both sides carry the same labels ({@code model, version}, or the process's), so
 * they match one to one.
 *
 * <ul>
 *   <li>{@code latency_pNN_ms}: {@code histogram_quantile} over the rate of the total-phase
 *       buckets of {@code mlserve_request_duration_seconds}, times 1000;
 *   <li>{@code error_rate}: failed over all requests of {@code mlserve_requests_total}, where
 *       failures are the outcomes other than {@code ok} and {@code cancelled} and cancelled ones
 *       count as neither; {@code request_rate}: every request, per second;
 *   <li>{@code queue_depth}: {@code mlserve_queue_depth}, summed; drift signals: the drift
 *       gauges of {@link SignalNames}, the largest over servers;
 *   <li>{@code cpu_utilization}: {@code rate(process_cpu_seconds_total)} over the
 *       {@code mlserve_cpu_limit_cores} gauge; {@code memory_utilization}: {@code
 *       process_resident_memory_bytes} over {@code mlserve_memory_limit_bytes}; GPU signals: the
 *       busiest / fullest GPU ({@code max without (device)}).
 * </ul>
 *
 * <p>Where the evaluator sees no value (no requests in the window), PromQL's division gives NaN or
 * nothing, and the comparison is false in both. Stateless; thread-safe.
 */
public final class PromQl {
  /** The outcome of a successful request ({@code ModelMetrics.OUTCOMES}; a test pins both). */
  static final String OK = "ok";
  /** The outcome of a request its client cancelled: neither a success nor a failure. */
  static final String CANCELLED = "cancelled";
  private static final String BY = "by (model, version) ";
  private static final Map<String, String> QUANTILES = Map.of(SignalNames.LATENCY_P50_MS, "0.5",
      SignalNames.LATENCY_P95_MS, "0.95", SignalNames.LATENCY_P99_MS, "0.99");
  private static final Map<String, String> MAX_GAUGES = Map.of(
      SignalNames.DRIFT_SHARE, SignalNames.METRIC_DRIFT_SHARE,
      SignalNames.FEATURE_PSI_MAX, SignalNames.METRIC_FEATURE_PSI_MAX,
      SignalNames.FEATURE_KS_MAX, SignalNames.METRIC_FEATURE_KS_MAX,
      SignalNames.PREDICTION_PSI_MAX, SignalNames.METRIC_PREDICTION_PSI_MAX,
      SignalNames.PERFORMANCE_DRIFT, SignalNames.METRIC_PERFORMANCE_DRIFT);

  private PromQl() {}

  /** {@code e} in PromQL, its rate and quantile signals over {@code window}. */
  public static String expr(AlertExpression e, Duration window) {
    return node(e.root(), PromDurations.format(window), true);
  }

  private static String node(Node n, String w, boolean top) {
    if (n instanceof Comparison c) {
      return signal(c.signal(), w) + " " + c.op().symbol() + " "
          + AlertExpression.number(c.threshold());
    }
    Junction j = (Junction) n;
    return "(" + node(j.left(), w, false) + ") " + (j.and() ? "and" : "or") + " ("
        + node(j.right(), w, false) + ")";
  }

  /** One signal in PromQL, over the window {@code w} (in Prometheus' duration syntax). */
  static String signal(String name, String w) {
    String quantile = QUANTILES.get(name);
    if (quantile != null) {
      return "histogram_quantile(" + quantile + ", sum by (model, version, le) (rate("
          + "mlserve_request_duration_seconds_bucket{phase=\"total\"}[" + w + "]))) * 1000";
    }
    String gauge = MAX_GAUGES.get(name);
    if (gauge != null) {
      return "max " + BY + "(" + gauge + ")";
    }
    return switch (name) {
      case SignalNames.ERROR_RATE -> "sum " + BY + "(rate(mlserve_requests_total{outcome!~\""
          + OK + "|" + CANCELLED + "\"}[" + w + "])) / sum " + BY
          + "(rate(mlserve_requests_total{outcome!=\"" + CANCELLED + "\"}[" + w + "]))";
      case SignalNames.REQUEST_RATE -> "sum " + BY + "(rate(mlserve_requests_total[" + w + "]))";
      case SignalNames.QUEUE_DEPTH -> "sum " + BY + "(mlserve_queue_depth)";
      case SignalNames.CPU_UTILIZATION -> "rate(process_cpu_seconds_total[" + w + "]) / "
          + SignalNames.METRIC_CPU_LIMIT_CORES;
      case SignalNames.MEMORY_UTILIZATION -> "process_resident_memory_bytes / "
          + SignalNames.METRIC_MEMORY_LIMIT_BYTES;
      case SignalNames.GPU_UTILIZATION -> "max without (device) ("
          + SignalNames.METRIC_GPU_UTILIZATION + ")";
      case SignalNames.GPU_MEMORY_UTILIZATION -> "max without (device) ("
          + SignalNames.METRIC_GPU_MEMORY_USED + " / " + SignalNames.METRIC_GPU_MEMORY_TOTAL + ")";
      default -> throw new IllegalArgumentException("no PromQL for signal " + name);
    };
  }
}
