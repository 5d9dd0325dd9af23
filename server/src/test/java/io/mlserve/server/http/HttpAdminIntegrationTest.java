package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.error;
import static io.mlserve.server.http.HttpTestClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.drift.ProfileBuilder;
import io.mlserve.drift.ReferenceJson;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.metrics.PrometheusText;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Stage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST admin routes over a real registry and a real server (DJL demo model, temp store)
 * behind a real gateway on a free loopback port: reads, promotion reaching the serving path,
 * rollback, the token rule, the error statuses, /readyz detail and the model-state gauge.
 * {@code curve_forecaster} stays at 1.0.0 in Production; {@code forecaster_b} is the one moved.
 */
class HttpAdminIntegrationTest {
  static final String MODEL = "curve_forecaster";
  static final String MOVED = "forecaster_b";
  static final String TOKEN = "s3cret";
  static final String[] AUTH = {"Authorization", "Bearer " + TOKEN};

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
    RegisterRequest demo =
        RegisterRequest.fromManifestFile(DemoModel.dir().resolve("model.json"), "test");
    for (String v : new String[] {"1.0.0", "1.1.0"}) {
      fx.registry.register(new RegisterRequest(MOVED, v, demo.artifact(), demo.format(),
          demo.signature(), demo.serving(), null, null, null, null, null, "test"));
    }
    fx.registry.promote(MOVED, "1.0.0", Stage.PRODUCTION, "test", "setup");
    assertTrue(fx.server.start().isEmpty());
    PrometheusText prom = new PrometheusText(fx.metrics, fx.server.state()::ready, () -> {
      Map<String, String> states = new TreeMap<>();
      fx.server.coordinator().statuses().forEach((m, s) -> states.put(m, s.state()));
      return states;
    });
    gateway = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .metrics(prom::render)
        .admin(fx.registry, fx.server.coordinator()::statuses, TOKEN)
        .build();
    http = new HttpTestClient(gateway.start());
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    fx.close();
  }

  @Test
  void aVersionsReferenceProfileIsReadAsStored() throws Exception {
    HttpResponse<String> r = http.get("/api/v1/models/" + MOVED + "/versions/1.1.0/reference");
    assertEquals(404, r.statusCode(), r.body());
    assertTrue(r.body().contains(MOVED + ":1.1.0 has no reference profile; compute one with"
        + " mlctl reference set"), r.body());
    ProfileBuilder b = new ProfileBuilder(List.of("x"), List.of(), 2, 200, 1);
    b.addRow(new double[] {1}, null);
    b.addRow(new double[] {3}, null);
    ReferenceJson.write(fx.registry.store().versionDir(MOVED, "1.1.0"),
        b.build(MOVED, "1.1.0", "dataset:d@00", 7));
    r = http.get("/api/v1/models/" + MOVED + "/versions/1.1.0/reference");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode p = json(r);
    assertEquals("dataset:d@00", p.get("source").asText());
    assertEquals(2, p.get("rows").asInt());
    assertEquals(2.0, p.get("inputs").get(0).get("mean").asDouble());
    assertEquals("[2.0]", p.get("inputs").get(0).get("edges").toString());
    assertEquals(404, http.get("/api/v1/models/" + MOVED + "/versions/9.9.9/reference")
        .statusCode());
  }

  @Test
  void listsModelsWithStagePointersAndVersions() throws Exception {
    HttpResponse<String> r = http.get("/api/v1/models");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode models = json(r).get("models");
    assertEquals(2, models.size(), r.body());
    JsonNode m = models.get(0);
    assertEquals(MODEL, m.get("name").asText());
    assertEquals("1.0.0", m.get("production").asText());
    assertTrue(m.get("staging").isNull());
    assertEquals("1.1.0", m.get("latest").asText());
    assertEquals("[\"1.0.0\",\"1.1.0\"]", m.get("versions").toString());
  }

  @Test
  void showsVersionsWithStagesAndTheLiveServingStatus() throws Exception {
    JsonNode m = json(http.get("/api/v1/models/" + MODEL));
    assertEquals("Production", m.get("versions").get(0).get("stage").asText(), m.toString());
    assertEquals("Development", m.get("versions").get(1).get("stage").asText());
    assertEquals(64, m.get("versions").get(0).get("sha256").asText().length());
    JsonNode serving = m.get("serving");
    assertEquals("SERVING", serving.get("state").asText(), m.toString());
    assertEquals("1.0.0", serving.get("production").asText());
    assertTrue(serving.get("reason").isNull());

    JsonNode versions = json(http.get("/api/v1/models/" + MODEL + "/versions"));
    assertEquals(2, versions.get("versions").size());
    JsonNode one = json(http.get("/api/v1/models/" + MODEL + "/versions/1.1.0"));
    assertEquals("Development", one.get("stage").asText());
    assertEquals("1.1.0", one.get("manifest").get("version").asText(), one.toString());
    assertTrue(one.get("manifest").has("signature"));
  }

  @Test
  void unknownModelOrVersionIs404() throws Exception {
    for (String path : new String[] {"/api/v1/models/nope", "/api/v1/models/nope/versions",
        "/api/v1/models/nope/history", "/api/v1/models/" + MODEL + "/versions/9.9.9"}) {
      HttpResponse<String> r = http.get(path);
      assertEquals(404, r.statusCode(), path + " " + r.body());
      String e = error(r);
      assertTrue(e.contains("'nope' not found") || e.contains("no version '9.9.9'"), r.body());
    }
    HttpResponse<String> r = http.post("/api/v1/models/nope/versions/1.0.0/promote",
        "{\"stage\":\"Production\"}", AUTH);
    assertEquals(404, r.statusCode(), r.body());
    assertTrue(error(r).contains("nope"), r.body());
  }

  @Test
  void twoAuthorizationHeadersAreRefusedEvenWhenOneMatches() throws Exception {
    String path = "/api/v1/models/" + MODEL + "/versions/1.1.0/promote";
    for (String[] pair : new String[][] {{"Bearer nope", AUTH[1]}, {AUTH[1], "Bearer nope"},
        {AUTH[1], AUTH[1]}}) {
      HttpResponse<String> r = http.post(path, "{\"stage\":\"Staging\"}",
          "Authorization", pair[0], "Authorization", pair[1]);
      assertEquals(401, r.statusCode(), r.body());
      assertTrue(error(r).contains("exactly one authorization header"), r.body());
    }
    assertEquals("Development", json(http.get(
        "/api/v1/models/" + MODEL + "/versions/1.1.0")).get("stage").asText());
  }

  @Test
  void mutationsNeedTheToken() throws Exception {
    String path = "/api/v1/models/" + MODEL + "/versions/1.1.0/promote";
    HttpResponse<String> none = http.post(path, "{\"stage\":\"Staging\"}");
    assertEquals(401, none.statusCode(), none.body());
    assertTrue(error(none).contains("admin token required"), none.body());
    assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(null));
    HttpResponse<String> wrong = http.post(path, "{\"stage\":\"Staging\"}",
        "Authorization", "Bearer nope");
    assertEquals(401, wrong.statusCode(), wrong.body());
    assertEquals("invalid admin token", error(wrong));
    HttpResponse<String> cleanup = http.post("/api/v1/models/cleanup?dry_run=true", "");
    assertEquals(401, cleanup.statusCode(), cleanup.body());
    // Reads stay open, and nothing moved.
    assertEquals("Development", json(http.get(
        "/api/v1/models/" + MODEL + "/versions/1.1.0")).get("stage").asText());

    HttpResponse<String> dry = http.post("/api/v1/models/cleanup?dry_run=true", "", AUTH);
    assertEquals(200, dry.statusCode(), dry.body());
    assertTrue(json(dry).get("dry_run").asBoolean());
  }

  @Test
  void illegalTransitionIs409NamingTheAllowedOnes() throws Exception {
    HttpResponse<String> r = http.post("/api/v1/models/" + MODEL + "/versions/1.0.0/archive",
        "{\"reason\":\"try\"}", AUTH);
    assertEquals(409, r.statusCode(), r.body());
    assertTrue(error(r).contains("allowed from Production: Deprecated"), r.body());
    HttpResponse<String> again = http.post("/api/v1/models/" + MODEL
        + "/versions/1.0.0/promote", "{\"stage\":\"Production\"}", AUTH);
    assertEquals(409, again.statusCode(), again.body());
    HttpResponse<String> target = http.post("/api/v1/models/" + MODEL
        + "/versions/1.1.0/promote", "{\"stage\":\"Archived\"}", AUTH);
    assertEquals(409, target.statusCode(), target.body());
    assertTrue(error(target).contains("allowed targets: Staging, Production"), target.body());
    HttpResponse<String> bogus = http.post("/api/v1/models/" + MODEL
        + "/versions/1.1.0/promote", "{\"stage\":\"Bogus\"}", AUTH);
    assertEquals(400, bogus.statusCode(), bogus.body());
    HttpResponse<String> typo = http.post("/api/v1/models/" + MODEL
        + "/versions/1.1.0/promote", "{\"Stage\":\"Staging\"}", AUTH);
    assertEquals(400, typo.statusCode(), typo.body());
    assertTrue(error(typo).contains("unknown field 'Stage'"), typo.body());
  }

  @Test
  void promotionReachesTheServingPathAndRollbackReturns() throws Exception {
    String base = "/api/v1/models/" + MOVED;
    HttpResponse<String> p = http.post(base + "/versions/1.1.0/promote",
        "{\"stage\":\"Production\",\"reason\":\"better backtest\"}",
        "Authorization", "Bearer " + TOKEN, "X-Mlserve-Actor", "alice");
    assertEquals(200, p.statusCode(), p.body());
    JsonNode t = json(p);
    assertEquals("Development", t.get("from_stage").asText());
    assertEquals("Production", t.get("to_stage").asText());
    assertEquals("1.0.0", t.get("previous_version").asText());
    awaitServedProduction("1.1.0");
    assertEquals("1.1.0", fx.router.defaultVersion(MOVED).version());

    JsonNode history = json(http.get(base + "/history")).get("history");
    JsonNode promoted = find(history, "1.1.0", "Production");
    assertEquals("alice", promoted.get("actor").asText(), history.toString());
    assertEquals("better backtest", promoted.get("reason").asText());

    HttpResponse<String> rb = http.post(base + "/rollback", "{\"reason\":\"regression\"}", AUTH);
    assertEquals(200, rb.statusCode(), rb.body());
    assertEquals("1.0.0", json(rb).get("version").asText());
    awaitServedProduction("1.0.0");
    JsonNode after = json(http.get(base + "/history")).get("history");
    JsonNode back = after.get(after.size() - 1);
    assertEquals("anonymous", back.get("actor").asText(), after.toString());

    HttpResponse<String> all = http.get("/api/v1/events?since=0");
    assertEquals("false", all.headers().firstValue("X-Mlserve-More").orElse(null));
    JsonNode events = json(all);
    assertTrue(events.isArray());
    HttpResponse<String> first = http.get("/api/v1/events?since=0&limit=1");
    assertEquals(1, json(first).size());
    assertEquals("true", first.headers().firstValue("X-Mlserve-More").orElse(null));
    JsonNode last = events.get(events.size() - 1);
    assertEquals("ml.model.rolled_back.v1", last.get("event_type").asText(), events.toString());
    assertEquals(MOVED, last.get("model_name").asText());
    long seq = last.get("seq").asLong();
    assertEquals(0, json(http.get("/api/v1/events?since=" + seq)).size());
    assertEquals(1, json(http.get("/api/v1/events?since=" + (seq - 1))).size());
  }

  @Test
  void trafficSplitIsSetShownAndClearedWithTheToken() throws Exception {
    String path = "/api/v1/models/" + MOVED + "/traffic";
    assertEquals("null", json(http.get(path)).get("split").toString());
    assertEquals(401, http.send("PUT", path, "{\"split\":\"1.0.0=90,1.1.0=10\"}")
        .statusCode());
    HttpResponse<String> bad = http.send("PUT", path, "{\"split\":\"1.0.0=90,1.1.0=5\"}", AUTH);
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(json(bad).get("error").asText().contains("add up to 95"), bad.body());
    HttpResponse<String> both = http.send("PUT", path, "{\"split\":\"1.0.0=100\","
        + "\"weights\":{\"1.0.0\":100}}", AUTH);
    assertEquals(400, both.statusCode(), both.body());
    HttpResponse<String> set = http.send("PUT", path,
        "{\"weights\":{\"1.0.0\":90,\"1.1.0\":10},\"reason\":\"a/b\"}", AUTH);
    assertEquals(200, set.statusCode(), set.body());
    JsonNode shown = json(http.get(path));
    assertEquals(90.0, shown.get("split").get("1.0.0").asDouble(), shown.toString());
    assertEquals(10.0, shown.get("split").get("1.1.0").asDouble(), shown.toString());
    assertEquals("a/b", shown.get("reason").asText());
    assertEquals(401, http.send("DELETE", path, null).statusCode());
    HttpResponse<String> cleared = http.send("DELETE", path, "{\"reason\":\"done\"}", AUTH);
    assertEquals(200, cleared.statusCode(), cleared.body());
    assertEquals("null", json(http.get(path)).get("split").toString());
    assertEquals(404, http.get("/api/v1/models/nope/traffic").statusCode());
  }

  @Test
  void readyzShowsEachModelsReloadState() throws Exception {
    HttpResponse<String> r = http.get("/readyz");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode model = null;
    for (JsonNode m : json(r).get("models")) {
      if (m.get("name").asText().equals(MODEL)) {
        model = m;
      }
    }
    assertEquals("SERVING", model.get("reload").get("state").asText(), r.body());
    assertTrue(model.get("reload").has("reason"));
  }

  @Test
  void scrapeHasTheModelStateGaugeAndPassesPromtool() throws Exception {
    HttpResponse<String> r = http.get("/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains(
        "mlserve_model_state{model=\"" + MODEL + "\",state=\"SERVING\"} 1\n"), r.body());
    io.mlserve.server.testing.Promtool.lint(r.body(), "HttpAdminIntegrationTest");
  }

  @Test
  void withoutARegistryTheAdminRoutesSaySo() throws Exception {
    try (HttpGateway bare = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .build()) {
      HttpTestClient c = new HttpTestClient(bare.start());
      HttpResponse<String> r = c.get("/api/v1/models");
      assertEquals(404, r.statusCode(), r.body());
      assertTrue(error(r).contains("admin API is not enabled"), r.body());
      HttpResponse<String> p = c.post("/api/v1/models/" + MODEL + "/rollback", "");
      assertEquals(404, p.statusCode(), p.body());
    }
  }

  private static void awaitServedProduction(String version) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode serving = null;
    while (System.nanoTime() < deadline) {
      serving = json(http.get("/api/v1/models/" + MOVED)).get("serving");
      if (serving != null && version.equals(serving.path("production").asText())) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("server did not swap to " + version + ": " + serving);
  }

  private static JsonNode find(JsonNode history, String version, String toStage) {
    for (JsonNode e : history) {
      if (e.get("version").asText().equals(version)
          && e.get("to_stage").asText().equals(toStage)) {
        return e;
      }
    }
    throw new AssertionError("no " + version + " -> " + toStage + " in " + history);
  }
}
