package io.mlserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.metrics.ExperimentMetricsText;
import io.mlserve.server.testing.Promtool;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A/B testing end to end over REST with the real model: a split set in the store routes
 * unversioned predictions to both versions, each answer names its version and request id,
 * feedback joins on that id, and the A/B report and {@code /metrics} show each arm.
 */
class HttpExperimentsIntegrationTest extends GatewayIntegrationBase {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return MAPPER.readTree(r.body());
  }

  /**
   * Without a split, a prediction is kept for feedback only when its request sent its own id:
   * keeping every answer would cost every request (docs/benchmarks.md).
   */
  @Test
  void withoutASplitOnlyRequestsWithTheirOwnIdAreKept() throws Exception {
    String model = "\"model\":\"" + MODEL + "\"";
    // The stage bypasses any split another test of this class may have set.
    HttpResponse<String> assigned = http.post("/api/v1/predict", "{" + model
        + ",\"stage\":\"Production\",\"input\":" + inputRow(0) + "}");
    String id = json(assigned).get("request_id").asText();
    HttpResponse<String> notKept = http.post("/api/v1/feedback", "{" + model
        + ",\"request_id\":\"" + id + "\",\"reward\":1}");
    assertEquals(404, notKept.statusCode(), notKept.body());
    assertTrue(json(notKept).get("error").asText().contains("own id"), notKept.body());
    HttpResponse<String> named = http.post("/api/v1/predict", "{" + model
        + ",\"stage\":\"Production\",\"request_id\":\"mine-1\",\"input\":" + inputRow(0)
        + "}");
    assertEquals("mine-1", json(named).get("request_id").asText());
    HttpResponse<String> kept = http.post("/api/v1/feedback", "{" + model
        + ",\"request_id\":\"mine-1\",\"reward\":1}");
    assertEquals(200, kept.statusCode(), kept.body());
  }

  @Test
  void splitFeedbackAndReport() throws Exception {
    try (EventLog log = EventLog.open(storeDir)) {
      new ModelRegistry(ModelStore.open(storeDir), log, ArtifactValidator.none(),
          Clock.systemUTC()).setTraffic(MODEL, Map.of("1.0.0", 50.0, "1.0.1", 50.0), "test",
              "a/b");
    }
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (server.router().arms(MODEL) == null && System.nanoTime() < deadline) {
      Thread.sleep(20); // bounded wait for the follower; not a correctness sleep
    }
    assertNotNull(server.router().arms(MODEL), "the split was applied");

    // 200 unkeyed predictions: both arms answer; each answer names its version and id.
    Map<String, Integer> perVersion = new HashMap<>();
    Map<String, String> versionOf = new HashMap<>();
    Map<String, JsonNode> outputOf = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      String body = "{\"model\":\"" + MODEL + "\",\"request_id\":\"q" + i + "\",\"input\":"
          + inputRow(i % rows) + "}";
      HttpResponse<String> r = http.post("/api/v1/predict", body);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode a = json(r);
      assertEquals("q" + i, a.get("request_id").asText());
      versionOf.put("q" + i, a.get("version").asText());
      outputOf.put("q" + i, a.get("output"));
      perVersion.merge(a.get("version").asText(), 1, Integer::sum);
    }
    assertEquals(2, perVersion.size(), perVersion.toString());
    assertTrue(perVersion.get("1.0.0") > 50 && perVersion.get("1.0.1") > 50, perVersion.toString());
    // A routing key pins a caller to one version.
    String pinned = null;
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = http.post("/api/v1/predict", "{\"model\":\"" + MODEL
          + "\",\"input\":" + inputRow(0) + "}", "X-Mlserve-Routing-Key", "customer-7");
      String v = json(r).get("version").asText();
      assertTrue(pinned == null || pinned.equals(v), pinned + " then " + v);
      pinned = v;
      assertNotNull(json(r).get("request_id").asText());
    }

    // Feedback: labels off by 1.0 (+ jitter) for 1.0.0's answers and 0.5 for 1.0.1's.
    for (int i = 0; i < 200; i++) {
      String id = "q" + i;
      double off = (versionOf.get(id).equals("1.0.0") ? 1.0 : 0.5) + 0.01 * (i % 7);
      ArrayNode label = MAPPER.createArrayNode();
      for (JsonNode v : outputOf.get(id)) {
        label.add(v.asDouble() + off);
      }
      HttpResponse<String> f = http.post("/api/v1/feedback", "{\"model\":\"" + MODEL
          + "\",\"request_id\":\"" + id + "\",\"label\":" + label + "}");
      assertEquals(200, f.statusCode(), f.body());
    }
    HttpResponse<String> again = http.post("/api/v1/feedback", "{\"model\":\"" + MODEL
        + "\",\"request_id\":\"q0\",\"reward\":1}");
    assertEquals(400, again.statusCode(), again.body());
    assertTrue(json(again).get("error").asText().contains("already recorded"), again.body());
    HttpResponse<String> unknown = http.post("/api/v1/feedback", "{\"model\":\"" + MODEL
        + "\",\"request_id\":\"never-made\",\"reward\":1}");
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertTrue(json(unknown).get("error").asText().contains("never-made"), unknown.body());
    HttpResponse<String> shape = http.post("/api/v1/feedback", "{\"model\":\"" + MODEL
        + "\",\"request_id\":\"q1\",\"label\":[1,2,3]}");
    assertEquals(400, shape.statusCode(), shape.body());

    // The report: both arms, MAE near 1.03 and 0.53, and a significant difference.
    HttpResponse<String> rep = http.get("/api/v1/models/" + MODEL + "/ab");
    assertEquals(200, rep.statusCode(), rep.body());
    JsonNode current = json(rep).get("current");
    assertEquals(2, current.get("arms").size(), rep.body());
    assertTrue(current.get("verdict").asText().startsWith("significant"), rep.body());
    assertTrue(current.get("verdict").asText().contains("1.0.1"), rep.body());
    assertEquals(404, http.get("/api/v1/models/nope/ab").statusCode());

    // The A/B part of /metrics: each arm's weight, routed requests and feedback, per split.
    String split = server.router().arms(MODEL).id();
    String metrics = new ExperimentMetricsText(server.experiments()).render();
    assertTrue(metrics.contains("mlserve_traffic_weight_percent{model=\"" + MODEL
        + "\",version=\"1.0.1\"} 50\n"), metrics);
    for (String v : new String[] {"1.0.0", "1.0.1"}) {
      String labels = "{model=\"" + MODEL + "\",version=\"" + v + "\",split=\"" + split + "\"";
      assertTrue(metrics.contains("mlserve_arm_requests_total" + labels + "} "
          + (perVersion.get(v) + (v.equals(pinned) ? 20 : 0)) + "\n"), v + ": " + metrics);
      assertTrue(metrics.contains("mlserve_arm_feedback_total" + labels + ",metric=\"mae\"} "
          + perVersion.get(v) + "\n"), v + ": " + metrics);
      assertTrue(metrics.contains("mlserve_arm_latency_seconds" + labels
          + ",percentile=\"p99\"} "), metrics);
    }
    Promtool.lint(metrics, "the A/B metrics");
  }
}
