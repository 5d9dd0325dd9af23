package io.mlserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.registry.grpc.AlertsJsonFormat;
import io.mlserve.server.alerts.AlertConfig;
import io.mlserve.server.alerts.AlertService;
import io.mlserve.server.alerts.AlertState;
import io.mlserve.server.alerts.AlertTransition;
import io.mlserve.server.alerts.Scope;
import io.mlserve.server.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The alert report's one JSON shape (REST and mlctl), through the proto. */
class AlertProtosTest {
  private static JsonNode json(AlertService.Report r) throws Exception {
    return Json.MAPPER.readTree(Json.write(g -> AlertsJsonFormat.list(g, AlertProtos.list(r))));
  }

  @Test
  void processAlertsHaveNullScopeAndValuesWithoutANumberAreNull() throws Exception {
    AlertTransition firing = new AlertTransition("ResourceExhaustion", Scope.PROCESS,
        AlertState.PENDING, AlertState.FIRING, 0.91, 0.8, "warning",
        Map.of("alertname", "ResourceExhaustion", "severity", "warning"),
        Map.of("summary", "CPU"), 1000, 2000);
    AlertTransition resolved = new AlertTransition("HighLatency", new Scope("m", "1.0.0"),
        AlertState.FIRING, AlertState.RESOLVED, Double.NaN, 200, "warning", Map.of(), Map.of(),
        500, 3000);
    JsonNode j = json(new AlertService.Report(true, true, 15_000, 3000, List.of(firing),
        AlertConfig.defaults().rules(), List.of(resolved, firing)));
    assertTrue(j.get("enabled").asBoolean() && j.get("evaluating").asBoolean());
    assertEquals(15_000, j.get("interval_ms").asLong());
    assertEquals(3000, j.get("evaluated_at_ms").asLong());
    JsonNode a = j.get("active").get(0);
    assertTrue(a.get("model").isNull() && a.get("version").isNull(), a.toString());
    assertEquals("firing", a.get("state").asText());
    assertEquals(0.91, a.get("value").asDouble(), 0);
    assertEquals(0.8, a.get("threshold").asDouble(), 0);
    assertEquals(1000, a.get("active_since_ms").asLong());
    assertEquals("CPU", a.get("annotations").get("summary").asText());
    JsonNode r = j.get("recent").get(0);
    assertEquals("m", r.get("model").asText());
    assertEquals("firing", r.get("from").asText());
    assertEquals("resolved", r.get("to").asText());
    assertTrue(r.get("value").isNull(), "NaN is written as null");
    assertEquals(3000, r.get("at_ms").asLong());
    JsonNode rule = j.get("rules").get(0);
    assertEquals("HighLatency", rule.get("name").asText());
    assertEquals("latency_p95_ms > 200", rule.get("expr").asText());
    assertEquals("5m", rule.get("window").asText());
    assertEquals("1m", rule.get("for").asText());
  }

  @Test
  void aServerWithoutAlertsSaysSo() throws Exception {
    JsonNode j = json(AlertService.Report.disabled());
    assertTrue(!j.get("enabled").asBoolean() && j.get("evaluated_at_ms").isNull());
    assertEquals(0, j.get("active").size());
    assertEquals(0, j.get("rules").size());
  }
}
