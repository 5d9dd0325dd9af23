package io.mlserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Rollout;
import io.mlserve.store.Stage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST rollout routes, {@code /api/v1/models/{model}/rollout}: start, show, pause, resume,
 * abort, promote; the token rule; refusals as 400 / 404 / 409 with the reason.
 */
class HttpRolloutIntegrationTest {
  private static final String MODEL = "curve_forecaster";
  private static final String PATH = "/api/v1/models/" + MODEL + "/rollout";
  private static final String[] AUTH = {"Authorization", "Bearer tok"};
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path storeDir;
  static ServerFixture fx;
  static HttpGateway gateway;
  static HttpTestClient http;

  @BeforeAll
  static void start() throws Exception {
    fx = new ServerFixture(storeDir, m -> GuardPolicy.off(), true);
    fx.registerDemo("1.0.0", false);
    fx.registerDemo("1.1.0", false);
    fx.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
    assertTrue(fx.server.start().isEmpty());
    gateway = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .admin(fx.registry, fx.server.coordinator()::statuses, "tok")
        .build();
    http = new HttpTestClient(gateway.start());
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    fx.close();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Test
  void startShowSteerAndPromoteWithTheToken() throws Exception {
    assertTrue(json(http.get(PATH)).get("rollout").isNull());
    assertEquals(401, http.post(PATH, "{\"version\":\"1.1.0\"}").statusCode());
    HttpResponse<String> bad = http.post(PATH, "{\"version\":\"1.1.0\",\"steps\":[5,50,25,100]}",
        AUTH);
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(json(bad).get("error").asText().contains("steps 5,50,25,100 are not strictly"
        + " increasing"), bad.body());
    HttpResponse<String> unknown = http.post(PATH, "{\"version\":\"1.1.0\",\"bake\":\"60s\"}",
        AUTH);
    assertEquals(400, unknown.statusCode(), unknown.body());
    assertEquals(404, http.post(PATH, "{\"version\":\"9.9.9\"}", AUTH).statusCode());
    HttpResponse<String> badFeedback = http.post(PATH, "{\"version\":\"1.1.0\","
        + "\"max_feedback_regression\":5}", AUTH);
    assertEquals(400, badFeedback.statusCode(), badFeedback.body());
    assertEquals("max feedback regression 5.0 is not a fraction from 0 to 1 (0.05: the"
        + " candidate's feedback metric at most 5% worse than the stable version's)",
        json(badFeedback).get("error").asText());
    HttpResponse<String> minAlone = http.post(PATH, "{\"version\":\"1.1.0\","
        + "\"min_feedback\":2.5}", AUTH);
    assertEquals(400, minAlone.statusCode(), minAlone.body());
    assertEquals("field 'min_feedback' must be a whole number",
        json(minAlone).get("error").asText());

    HttpResponse<String> started = http.post(PATH, "{\"version\":\"1.1.0\",\"steps\":[10,100],"
        + "\"bake_ms\":30000,\"min_requests\":20,\"max_divergence\":0.1,"
        + "\"max_feedback_regression\":0.05,\"min_feedback\":40,\"reason\":\"canary\"}",
        AUTH);
    assertEquals(200, started.statusCode(), started.body());
    JsonNode s = json(started);
    assertEquals("RUNNING", s.at("/rollout/state").asText());
    assertEquals(30000, s.at("/rollout/bake_ms").asLong());
    assertEquals(20, s.at("/rollout/thresholds/min_requests").asLong());
    assertEquals(0.1, s.at("/rollout/thresholds/max_divergence").asDouble());
    assertEquals(0.05, s.at("/rollout/thresholds/max_feedback_regression").asDouble());
    assertEquals(40, s.at("/rollout/thresholds/min_feedback").asLong());
    assertEquals(10.0, s.at("/traffic/split/1.1.0").asDouble());
    assertEquals(409, http.post(PATH, "{\"version\":\"1.1.0\"}", AUTH).statusCode());

    assertEquals(401, http.post(PATH + "/pause", "").statusCode());
    assertEquals("PAUSED", json(http.post(PATH + "/pause", "{\"reason\":\"hold\"}", AUTH))
        .at("/rollout/state").asText());
    assertEquals("RUNNING", json(http.post(PATH + "/resume", "", AUTH)).at("/rollout/state")
        .asText());
    HttpResponse<String> promoted = http.post(PATH + "/promote", "", AUTH);
    assertEquals(200, promoted.statusCode(), promoted.body());
    assertEquals("SUCCEEDED", json(promoted).at("/rollout/state").asText());
    assertTrue(json(promoted).at("/traffic/split").isNull());
    assertEquals(Stage.PRODUCTION, fx.registry.stageOf(MODEL, "1.1.0"));
    HttpResponse<String> over = http.post(PATH + "/abort", "", AUTH);
    assertEquals(409, over.statusCode(), over.body());
    assertTrue(json(over).get("error").asText().contains("is over (SUCCEEDED)"), over.body());
    assertEquals(Rollout.State.SUCCEEDED,
        fx.registry.deployment(MODEL).orElseThrow().rollout().state());
  }
}
