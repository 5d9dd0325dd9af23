package io.mlserve.server.alerts.promql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mlserve.server.alerts.AlertConfig;
import io.mlserve.server.alerts.AlertExpression;
import io.mlserve.server.alerts.AlertRule;
import io.mlserve.server.alerts.SignalNames;
import io.mlserve.server.metrics.ModelMetrics;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The PromQL of each signal, of and/or, and the rules file's shape. */
class PromQlTest {
  private static String expr(String e, Duration w) {
    return PromQl.expr(AlertExpression.parse(e), w);
  }

  @Test
  void theBuiltInsInPromQl() {
    assertEquals("histogram_quantile(0.95, sum by (model, version, le) (rate("
        + "mlserve_request_duration_seconds_bucket{phase=\"total\"}[5m]))) * 1000 > 200",
        expr("latency_p95_ms > 200", Duration.ofMinutes(5)));
    assertEquals("sum by (model, version) (rate(mlserve_requests_total{outcome!~\"ok|cancelled\"}"
        + "[1h30m])) / sum by (model, version) (rate(mlserve_requests_total{outcome!="
        + "\"cancelled\"}[1h30m])) > 0.01", expr("error_rate > 0.01", Duration.ofMinutes(90)));
    assertEquals("(rate(process_cpu_seconds_total[5m]) / mlserve_cpu_limit_cores > 0.8) or"
        + " (process_resident_memory_bytes / mlserve_memory_limit_bytes > 0.8)",
        expr("cpu_utilization > 0.8 or memory_utilization > 0.8", Duration.ofMinutes(5)));
    assertEquals("(max by (model, version) (mlserve_drift_features_drifted_ratio) > 0.3) or"
        + " (max by (model, version) (mlserve_performance_drift_ratio) > 0.2)",
        expr("drift_share > 0.3 or performance_drift > 0.2", Duration.ofMinutes(5)));
  }

  @Test
  void andBindsTighterThanOrInPromQlToo() {
    assertEquals("(sum by (model, version) (mlserve_queue_depth) > 5) or ((sum by (model,"
        + " version) (rate(mlserve_requests_total[30s])) < 1) and (max by (model, version)"
        + " (mlserve_feature_drift_psi_max) >= 0.2))",
        expr("queue_depth > 5 or request_rate < 1 and feature_psi_max >= 0.2",
            Duration.ofSeconds(30)));
  }

  @Test
  void everySignalHasPromQlOverExportedNames() {
    Set<String> all = new TreeSet<>(SignalNames.MODEL);
    all.addAll(SignalNames.PROCESS);
    for (String s : all) {
      String q = PromQl.signal(s, "5m");
      assertTrue(q.contains("mlserve_") || q.contains("process_"), s + ": " + q);
    }
    assertTrue(PromQl.signal(SignalNames.GPU_MEMORY_UTILIZATION, "5m").contains(
        SignalNames.METRIC_GPU_MEMORY_USED + " / " + SignalNames.METRIC_GPU_MEMORY_TOTAL));
  }

  /** Failures are the outcomes other than ok and cancelled: both names must exist. */
  @Test
  void outcomeNamesAreTheExportedOnes() {
    List<String> outcomes = Arrays.asList(ModelMetrics.OUTCOMES);
    assertEquals(PromQl.OK, outcomes.get(0));
    assertTrue(outcomes.contains(PromQl.CANCELLED), outcomes.toString());
  }

  @Test
  void rulesFileShape() throws Exception {
    List<AlertRule> rules = List.of(AlertConfig.defaults().rules().get(0),
        new AlertRule("Busy", "gpu_utilization > 0.95", Duration.ofMinutes(1), Duration.ZERO,
            "info", Map.of("team", "ml"), Map.of("summary", "GPU at {{ $value }}")));
    String text = PrometheusRules.render(rules);
    assertEquals(text, PrometheusRules.render(rules), "the same rules give the same file");
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(text);
    JsonNode group = root.get("groups").get(0);
    assertEquals("mlserve", group.get("name").asText());
    JsonNode hl = group.get("rules").get(0);
    assertEquals("HighLatency", hl.get("alert").asText());
    assertEquals("1m", hl.get("for").asText());
    assertEquals("warning", hl.get("labels").get("severity").asText());
    assertEquals("High latency on {{ $labels.model }} {{ $labels.version }}",
        hl.get("annotations").get("summary").asText());
    JsonNode busy = group.get("rules").get(1);
    assertEquals("0s", busy.get("for").asText());
    assertEquals("max without (device) (mlserve_gpu_utilization_ratio) > 0.95",
        busy.get("expr").asText());
    assertEquals("ml", busy.get("labels").get("team").asText());
  }
}
