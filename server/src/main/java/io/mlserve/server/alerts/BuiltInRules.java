package io.mlserve.server.alerts;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The seed's four alert rules, the defaults when no rules file says otherwise:
 *
 * <ul>
 *   <li>HighLatency: {@code latency_p95_ms > 200} over 5m, for 1m, warning (the seed's "P95 &gt;
 *       200ms"; the 1m {@code for} keeps one slow scrape interval from paging);
 *   <li>HighErrorRate: {@code error_rate > 0.01} over 5m, for 1m, critical ("&gt; 1% failures";
 *       cancelled requests count as neither success nor failure);
 *   <li>ResourceExhaustion: {@code cpu_utilization > 0.8 or memory_utilization > 0.8} over 5m,
 *       for 5m, warning ("&gt; 80% CPU/memory" of the cgroup limit, else of the machine; 5m
 *       because a burst of CPU is normal, a sustained one is not);
 *   <li>ModelDrift: {@code drift_share > 0.3 or performance_drift > 0.2}, for 5m, warning (the
 *       seed's "significant performance degradation": more than 30% of the features with PSI
 *       over 0.2, Evidently's dataset-drift convention being a share, or live error 20% worse
 *       than the evaluated error; the window does not matter for these gauges).
 * </ul>
 *
 * <p>Annotations use Prometheus' template syntax, so the exported rules file carries them as
 * they are. Stateless; thread-safe.
 */
final class BuiltInRules {
  private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

  private BuiltInRules() {}

  static List<AlertRule> all() {
    return List.of(
        new AlertRule("HighLatency", "latency_p95_ms > 200", FIVE_MINUTES, Duration.ofMinutes(1),
            "warning", Map.of(), Map.of(
                "summary", "High latency on {{ $labels.model }} {{ $labels.version }}",
                "description", "p95 latency is {{ $value }} ms over 5m (threshold 200 ms).")),
        new AlertRule("HighErrorRate", "error_rate > 0.01", FIVE_MINUTES, Duration.ofMinutes(1),
            "critical", Map.of(), Map.of(
                "summary", "High error rate on {{ $labels.model }} {{ $labels.version }}",
                "description", "{{ $value }} of the requests failed over 5m (threshold 0.01:"
                    + " 1%; cancelled requests count as neither).")),
        new AlertRule("ResourceExhaustion", "cpu_utilization > 0.8 or memory_utilization > 0.8",
            FIVE_MINUTES, FIVE_MINUTES, "warning", Map.of(), Map.of(
                "summary", "Server CPU or memory above 80% of its limit",
                "description", "CPU (over 5m) or resident memory is at {{ $value }} of the"
                    + " container's limit, or the machine's without one (threshold 0.8).")),
        new AlertRule("ModelDrift", "drift_share > 0.3 or performance_drift > 0.2",
            FIVE_MINUTES, FIVE_MINUTES, "warning", Map.of(), Map.of(
                "summary", "Model drift on {{ $labels.model }} {{ $labels.version }}",
                "description", "Drift at {{ $value }}: more than 0.3 of the features drifted"
                    + " (PSI over 0.2), or the live error is more than 0.2 worse than the"
                    + " evaluated error.")));
  }
}
