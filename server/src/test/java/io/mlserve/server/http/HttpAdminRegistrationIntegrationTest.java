package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.error;
import static io.mlserve.server.http.HttpTestClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlserve.dataset.DatasetFormat;
import io.mlserve.dataset.DatasetLimits;
import io.mlserve.dataset.DatasetStore;
import io.mlserve.drift.ReferenceJson;
import io.mlserve.drift.ReferenceProfile;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.EngineArtifactValidator;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Stage;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Registration and experiment runs over REST, on a real server (DJL demo model, temp store)
 * behind a real gateway on a free loopback port. The gateway's registry validates with the
 * server's engine, as the launcher wires it: a registration loads, warms up and checks golden
 * examples before the version exists. Each test uses versions of its own.
 */
class HttpAdminRegistrationIntegrationTest {
  static final String MODEL = "curve_forecaster";
  static final String TOKEN = "s3cret";
  static final String[] AUTH = {"Authorization", "Bearer " + TOKEN};

  @TempDir static Path storeDir;
  static ServerFixture fx;
  static HttpGateway gateway;
  static HttpTestClient http;
  static int port;
  static String artifactB64;

  @BeforeAll
  static void start() throws Exception {
    fx = new ServerFixture(storeDir, m -> GuardPolicy.off(), true);
    fx.registerDemo("1.0.0", false);
    fx.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
    assertTrue(fx.server.start().isEmpty());
    ModelLoader validation = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    ModelRegistry validating = new ModelRegistry(fx.store, fx.events,
        new EngineArtifactValidator(validation), Clock.systemUTC());
    gateway = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .admin(validating, fx.server.coordinator()::statuses, TOKEN)
        .build();
    port = gateway.start();
    http = new HttpTestClient(port);
    artifactB64 = Base64.getEncoder().encodeToString(
        Files.readAllBytes(DemoModel.dir().resolve("model.pt")));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    fx.close();
  }

  @Test
  void registeredOverRestThenPromotedIsServed() throws Exception {
    ObjectNode body = HttpTestClient.MAPPER.createObjectNode()
        .put("version", "2.0.0")
        .put("artifact_base64", artifactB64)
        .put("description", "# retrained\nsame data");
    body.set("examples", DemoModel.examples()); // the golden check runs against them
    HttpResponse<String> r = http.post("/api/v1/models/" + MODEL + "/versions",
        body.toString(), "Authorization", "Bearer " + TOKEN, "X-Mlserve-Actor", "bob");
    assertEquals(201, r.statusCode(), r.body());
    assertEquals("/api/v1/models/" + MODEL + "/versions/2.0.0",
        r.headers().firstValue("Location").orElse(null));
    JsonNode v = json(r);
    assertEquals("Development", v.get("stage").asText(), r.body());
    JsonNode manifest = v.get("manifest");
    assertEquals("# retrained\nsame data", manifest.get("description").asText());
    assertEquals("curve", manifest.get("signature").get("inputs").get(0).get("name").asText(),
        "the signature is inherited from the latest version");
    assertEquals(64, manifest.get("serving").get("max_batch_size").asInt());
    assertTrue(Files.isRegularFile(fx.store.versionDir(MODEL, "2.0.0").resolve("examples.json")));

    JsonNode history = json(http.get("/api/v1/models/" + MODEL + "/history")).get("history");
    JsonNode registered = history.get(history.size() - 1);
    assertEquals("2.0.0", registered.get("version").asText(), history.toString());
    assertEquals("bob", registered.get("actor").asText());

    HttpResponse<String> p = http.post("/api/v1/models/" + MODEL + "/versions/2.0.0/promote",
        "{\"stage\":\"Production\"}", AUTH);
    assertEquals(200, p.statusCode(), p.body());
    awaitServedProduction("2.0.0");
    assertEquals("2.0.0", fx.router.defaultVersion(MODEL).version());
  }

  @Test
  void aReferenceIsProfiledThroughTheEngineBeforeTheVersionIsVisible() throws Exception {
    try (InputStream in = Files.newInputStream(DemoModel.dir().resolve("train_sample.jsonl"))) {
      new DatasetStore(fx.registry, Clock.systemUTC(), DatasetLimits.defaults())
          .add(MODEL, "train_sample", DatasetFormat.JSONL, in, null, "test");
    }
    ObjectNode body = HttpTestClient.MAPPER.createObjectNode()
        .put("version", "5.0.0").put("artifact_base64", artifactB64)
        .put("reference", "nope");
    HttpResponse<String> r = http.post("/api/v1/models/" + MODEL + "/versions",
        body.toString(), AUTH);
    assertEquals(404, r.statusCode(), r.body());
    assertTrue(r.body().contains("model 'curve_forecaster' has no dataset 'nope'"), r.body());
    assertFalse(fx.store.hasVersion(MODEL, "5.0.0"));

    r = http.post("/api/v1/models/" + MODEL + "/versions",
        body.put("reference", "train_sample").toString(), AUTH);
    assertEquals(201, r.statusCode(), r.body());
    ReferenceProfile p = ReferenceJson.read(fx.store.versionDir(MODEL, "5.0.0")).orElseThrow();
    assertEquals(1000, p.rows());
    assertEquals(24, p.outputs().size());
    JsonNode got = json(http.get("/api/v1/models/" + MODEL + "/versions/5.0.0/reference"));
    assertEquals(p.source(), got.get("source").asText());
    assertEquals("forecast[0]", got.get("outputs").get(0).get("name").asText());
  }

  @Test
  void bumpPicksTheNextVersion() throws Exception {
    HttpResponse<String> r = http.post("/api/v1/models/bumped/versions",
        "{\"bump\":\"minor\",\"artifact_base64\":\"" + artifactB64 + "\",\"signature\":"
            + signatureJson() + "}", AUTH);
    assertEquals(201, r.statusCode(), r.body());
    assertEquals("0.1.0", json(r).get("version").asText());
    HttpResponse<String> both = http.post("/api/v1/models/bumped/versions",
        "{\"bump\":\"minor\",\"version\":\"5.0.0\",\"artifact_base64\":\"" + artifactB64
            + "\"}", AUTH);
    assertEquals(400, both.statusCode(), both.body());
    assertTrue(error(both).contains("exactly one of version"), both.body());
  }

  @Test
  void corruptArtifactIsRefusedAndLeavesNothingBehind() throws Exception {
    String junk = Base64.getEncoder().encodeToString("not a TorchScript archive".getBytes());
    HttpResponse<String> r = http.post("/api/v1/models/" + MODEL + "/versions",
        "{\"version\":\"9.0.0\",\"artifact_base64\":\"" + junk + "\"}", AUTH);
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(error(r).contains("validation of " + MODEL + ":9.0.0 failed"), r.body());
    assertNoInsides(r.body());
    assertEquals(404, http.get("/api/v1/models/" + MODEL + "/versions/9.0.0").statusCode());
    try (Stream<Path> s = Files.list(fx.store.modelDirectory(MODEL).resolve("versions"))) {
      List<String> names = s.map(x -> x.getFileName().toString()).toList();
      assertFalse(names.contains("9.0.0"), names.toString());
      assertTrue(names.stream().noneMatch(n -> n.startsWith(".tmp-")), names.toString());
    }
    // A first registration of a new model that fails leaves no model directory either.
    HttpResponse<String> fresh = http.post("/api/v1/models/never_was/versions",
        "{\"version\":\"1.0.0\",\"artifact_base64\":\"" + junk + "\",\"signature\":"
            + signatureJson() + "}", AUTH);
    assertEquals(400, fresh.statusCode(), fresh.body());
    assertFalse(Files.exists(storeDir.resolve("never_was")));

    HttpResponse<String> bad = http.post("/api/v1/models/" + MODEL + "/versions",
        "{\"version\":\"9.0.1\",\"artifact_base64\":\"%%%\"}", AUTH);
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(error(bad).contains("not valid base64"), bad.body());
    HttpResponse<String> typo = http.post("/api/v1/models/" + MODEL + "/versions",
        "{\"version\":\"9.0.2\",\"artifact\":\"x\"}", AUTH);
    assertEquals(400, typo.statusCode(), typo.body());
    assertTrue(error(typo).contains("unknown field 'artifact'"), typo.body());
    for (HttpResponse<String> each : List.of(fresh, bad, typo)) {
      assertNoInsides(each.body());
    }
  }

  @Test
  void badRegistrationsSayWhatWasWrongWithoutTheServersInsides() throws Exception {
    String junk = Base64.getEncoder().encodeToString("PK\3\4 truncated".getBytes());
    for (String body : List.of(
        "{\"version\":\"9.1.0\",\"artifact_base64\":\"" + junk + "\"}",
        "{\"version\":\"9.1.1\",\"serving\":{\"max_batch_size\":\"many\"}}",
        "{\"version\":\"9.1.2\",\"serving\":{\"no_such_field\":1}}",
        "{\"version\":\"9.1.3\",\"signature\":{\"inputs\":5}}",
        "{\"version\":\"9.1.4\",\"examples\":{\"inputs\":[[1e400]]}}",
        "{\"version\":[1]}")) {
      HttpResponse<String> r = http.post("/api/v1/models/" + MODEL + "/versions", body, AUTH);
      assertEquals(400, r.statusCode(), body + " -> " + r.body());
      assertNoInsides(r.body());
    }
  }

  /** No Java class or exception names and no server path in an answer. */
  static void assertNoInsides(String body) {
    assertFalse(body.contains("java."), body);
    assertFalse(body.toLowerCase(java.util.Locale.ROOT).contains("exception"), body);
    assertFalse(body.contains("io.mlserve."), body);
    assertFalse(body.contains(storeDir.toString()), body);
    assertFalse(body.contains(System.getProperty("java.io.tmpdir") + "/"), body);
  }

  /** Each serving bound over REST: 400 naming the field, the range and the value, no trace. */
  @ParameterizedTest(name = "serving.{0}={1} is refused")
  @CsvSource({
      "max_batch_size,       100000000,  1,   4096",
      "max_batch_size,       4097,       1,   4096",
      "max_batch_size,       0,          1,   4096",
      "queue_capacity,       2000000000, 1,   65536",
      "instances,            1000,       1,   64",
      "threads_per_instance, 65,         1,   64",
      "max_queue_delay_us,   1000001,    0,   1000000",
      "queue_timeout_us,     99,         100, 60000000",
  })
  void servingValuesOutOfRangeAreRefusedWith400(String field, long value, long min, long max)
      throws Exception {
    String version = "7.0." + Math.floorMod((field + value).hashCode(), 100_000);
    HttpResponse<String> r = http.post("/api/v1/models/" + MODEL + "/versions",
        "{\"version\":\"" + version + "\",\"artifact_base64\":\"" + artifactB64
            + "\",\"serving\":{\"" + field + "\":" + value + "}}", AUTH);
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("invalid 'serving': serving." + field + " must be between " + min + " and "
        + max + ", got " + value, error(r));
    assertEquals(404, http.get("/api/v1/models/" + MODEL + "/versions/" + version).statusCode());
  }

  @Test
  void theLargestServingValuesAreAcceptedAndValidatedOnOneInstance() throws Exception {
    // A model of its own: the other tests' versions inherit the latest version's serving.
    HttpResponse<String> r = http.post("/api/v1/models/roomy/versions",
        "{\"version\":\"1.0.0\",\"artifact_base64\":\"" + artifactB64 + "\",\"signature\":"
            + signatureJson() + ",\"serving\":{\"max_batch_size\":4096,\"queue_capacity\":65536,"
            + "\"instances\":64,\"max_queue_delay_us\":1000000,\"queue_timeout_us\":60000000}}", AUTH);
    assertEquals(201, r.statusCode(), r.body());
    JsonNode serving = json(r).get("manifest").get("serving");
    assertEquals(64, serving.get("instances").asInt());
    assertEquals(60_000_000, serving.get("queue_timeout_us").asLong());
  }

  @Test
  void mutationsNeedTheTokenAndReadsDoNot() throws Exception {
    String reg = "{\"version\":\"8.0.0\",\"artifact_base64\":\"" + artifactB64 + "\"}";
    HttpResponse<String> none = http.post("/api/v1/models/" + MODEL + "/versions", reg);
    assertEquals(401, none.statusCode(), none.body());
    HttpResponse<String> wrong = http.post("/api/v1/models/" + MODEL + "/versions", reg,
        "Authorization", "Bearer nope");
    assertEquals(401, wrong.statusCode(), wrong.body());
    assertEquals(404, http.get("/api/v1/models/" + MODEL + "/versions/8.0.0").statusCode());

    String runs = "/api/v1/models/" + MODEL + "/runs";
    assertEquals(401, http.post(runs, "{}").statusCode());
    String id = json(http.post(runs, "{}", AUTH)).get("run_id").asText();
    assertEquals(401, http.post(runs + "/" + id + "/params", "{\"key\":\"a\",\"value\":1}")
        .statusCode());
    assertEquals(401, http.post(runs + "/" + id + "/metrics", "{\"key\":\"a\",\"value\":1}")
        .statusCode());
    assertEquals(401, http.post(runs + "/" + id + "/end", "{}").statusCode());
    assertEquals(200, http.get(runs).statusCode());
    assertEquals("RUNNING", json(http.get(runs + "/" + id)).get("status").asText());
  }

  @Test
  void runsAreCreatedLoggedEndedListedShownAndCompared() throws Exception {
    String runs = "/api/v1/models/tracked/runs";
    HttpResponse<String> c = http.post(runs, "{\"name\":\"baseline\",\"source\":\"git:abc\","
        + "\"tags\":{\"team\":\"rates\"},\"params\":{\"lr\":0.01}}", AUTH);
    assertEquals(201, c.statusCode(), c.body());
    JsonNode run = json(c);
    String a = run.get("run_id").asText();
    assertEquals(runs + "/" + a, c.headers().firstValue("Location").orElse(null));
    assertEquals("RUNNING", run.get("status").asText());
    assertEquals(0.01, run.get("params").get("lr").asDouble());
    assertEquals("rates", run.get("tags").get("team").asText());

    assertEquals(200, http.post(runs + "/" + a + "/params",
        "{\"key\":\"hidden\",\"value\":64}", AUTH).statusCode());
    assertEquals(200, http.post(runs + "/" + a + "/metrics",
        "{\"key\":\"val_mse\",\"value\":1.5,\"step\":0}", AUTH).statusCode());
    HttpResponse<String> m = http.post(runs + "/" + a + "/metrics",
        "{\"key\":\"val_mse\",\"value\":1.2,\"step\":1}", AUTH);
    assertEquals(200, m.statusCode(), m.body());
    assertEquals(2, json(m).get("metrics").get("val_mse").size());
    HttpResponse<String> end = http.post(runs + "/" + a + "/end", "{\"status\":\"finished\"}",
        AUTH);
    assertEquals(200, end.statusCode(), end.body());
    assertEquals("FINISHED", json(end).get("status").asText());
    assertTrue(json(end).get("end_time").asLong() > 0);

    String b = json(http.post(runs, "{\"params\":{\"lr\":0.1}}", AUTH)).get("run_id").asText();
    http.post(runs + "/" + b + "/metrics", "{\"key\":\"val_mse\",\"value\":2.0}", AUTH);

    JsonNode list = json(http.get(runs)).get("runs");
    assertEquals(2, list.size(), list.toString());
    assertEquals(a, list.get(0).get("run_id").asText());
    JsonNode shown = json(http.get(runs + "/" + a));
    assertEquals("git:abc", shown.get("source").asText());
    assertEquals(64, shown.get("params").get("hidden").asInt());
    assertEquals(1.2, shown.get("metrics").get("val_mse").get(1).get("value").asDouble());

    HttpResponse<String> cmp = http.get(runs + "/compare?ids=" + a + "," + b);
    assertEquals(200, cmp.statusCode(), cmp.body());
    JsonNode cj = json(cmp);
    assertEquals(0.01, cj.get("params").get("lr").get(a).asDouble());
    assertEquals(0.1, cj.get("params").get("lr").get(b).asDouble());
    assertFalse(cj.get("params").get("hidden").has(b), cmp.body());
    assertEquals(1.2, cj.get("metrics").get("val_mse").get(a).asDouble());
    assertEquals(2.0, cj.get("metrics").get("val_mse").get(b).asDouble());

    assertEquals(400, http.get(runs + "/compare?ids=" + a).statusCode());
    assertEquals(404, http.get(runs + "/compare?ids=" + a + ",000000000000").statusCode());
    assertEquals(404, http.get(runs + "/000000000000").statusCode());
    HttpResponse<String> status = http.post(runs + "/" + b + "/end", "{\"status\":\"DONE\"}",
        AUTH);
    assertEquals(400, status.statusCode(), status.body());
    assertTrue(error(status).contains("FINISHED, FAILED, KILLED"), status.body());
    assertEquals(400, http.post(runs + "/" + b + "/metrics", "{\"key\":\"x\",\"value\":\"1\"}",
        AUTH).statusCode());
  }

  @Test
  void registeringWithARunCopiesItsParamsAndLastMetricsIntoTheManifest() throws Exception {
    String runs = "/api/v1/models/" + MODEL + "/runs";
    String id = json(http.post(runs, "{\"params\":{\"lr\":0.002,\"hidden\":64}}", AUTH))
        .get("run_id").asText();
    http.post(runs + "/" + id + "/metrics", "{\"key\":\"val_mse\",\"value\":1.3,\"step\":0}",
        AUTH);
    http.post(runs + "/" + id + "/metrics", "{\"key\":\"val_mse\",\"value\":1.14,\"step\":1}",
        AUTH);
    http.post(runs + "/" + id + "/end", "{}", AUTH);

    HttpResponse<String> r = http.post("/api/v1/models/" + MODEL + "/versions",
        "{\"version\":\"3.0.0\",\"run_id\":\"" + id + "\",\"artifact_base64\":\"" + artifactB64
            + "\"}", AUTH);
    assertEquals(201, r.statusCode(), r.body());
    JsonNode manifest = json(http.get("/api/v1/models/" + MODEL + "/versions/3.0.0"))
        .get("manifest");
    assertEquals(id, manifest.get("run_id").asText(), manifest.toString());
    assertEquals(0.002, manifest.get("params").get("lr").asDouble());
    assertEquals(64, manifest.get("params").get("hidden").asInt());
    assertEquals(1.14, manifest.get("metrics").get("val_mse").asDouble());

    HttpResponse<String> unknown = http.post("/api/v1/models/" + MODEL + "/versions",
        "{\"version\":\"3.0.1\",\"run_id\":\"000000000000\",\"artifact_base64\":\""
            + artifactB64 + "\"}", AUTH);
    assertEquals(404, unknown.statusCode(), unknown.body());
  }

  @Test
  void theArtifactMayBeTheRawBodyWithFieldsAsQueryParameters() throws Exception {
    String runs = "/api/v1/models/" + MODEL + "/runs";
    String id = json(http.post(runs, "{\"params\":{\"epochs\":150}}", AUTH)).get("run_id")
        .asText();
    HttpResponse<String> r = raw("/api/v1/models/" + MODEL + "/versions?version=4.0.0&run_id="
        + id + "&format=torchscript", "application/octet-stream",
        Files.readAllBytes(DemoModel.dir().resolve("model.pt")));
    assertEquals(201, r.statusCode(), r.body());
    JsonNode manifest = json(r).get("manifest");
    assertEquals("4.0.0", manifest.get("version").asText());
    assertEquals(150, manifest.get("params").get("epochs").asInt());

    HttpResponse<String> typo = raw("/api/v1/models/" + MODEL + "/versions?versoin=4.0.1",
        "application/octet-stream", new byte[] {1});
    assertEquals(400, typo.statusCode(), typo.body());
    assertTrue(error(typo).contains("unknown query parameter 'versoin'"), typo.body());
    HttpResponse<String> text = raw("/api/v1/models/" + MODEL + "/versions?version=4.0.1",
        "text/plain", new byte[] {1});
    assertEquals(415, text.statusCode(), text.body());
    // Other POST routes still take JSON only.
    HttpResponse<String> other = raw("/api/v1/models/" + MODEL + "/rollback",
        "application/octet-stream", new byte[0]);
    assertEquals(415, other.statusCode(), other.body());
  }

  @Test
  void aBodyOverTheGatewaysLimitIs413AndRegistersNothing() throws Exception {
    try (HttpGateway small = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0)
            .maxBodyBytes(4096).build())
        .admin(fx.registry, fx.server.coordinator()::statuses, TOKEN).build()) {
      HttpTestClient c = new HttpTestClient(small.start());
      HttpResponse<String> r = c.post("/api/v1/models/" + MODEL + "/versions",
          "{\"version\":\"7.0.0\",\"artifact_base64\":\"" + artifactB64 + "\"}", AUTH);
      assertEquals(413, r.statusCode(), r.body());
      assertEquals(404, http.get("/api/v1/models/" + MODEL + "/versions/7.0.0").statusCode());
    }
  }

  private static HttpResponse<String> raw(String path, String contentType, byte[] body)
      throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", contentType)
        .header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
  }

  private static String signatureJson() throws Exception {
    return HttpTestClient.MAPPER.readTree(DemoModel.dir().resolve("model.json").toFile())
        .get("signature").toString();
  }

  private static void awaitServedProduction(String version) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode serving = null;
    while (System.nanoTime() < deadline) {
      serving = json(http.get("/api/v1/models/" + MODEL)).get("serving");
      if (serving != null && version.equals(serving.path("production").asText())) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("server did not swap to " + version + ": " + serving);
  }
}
