package io.mlserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.evaluation.EvaluationJson;
import io.mlserve.evaluation.EvaluationListing;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.evaluation.EvaluationFixture;
import io.mlserve.server.evaluation.EvaluationRunner;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.testing.ServerFixture;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST evaluation routes over loopback with the real engine: POST runs and answers the
 * stored JSON (token required), GET lists and reads it and its HTML report, and refusals are
 * 404 naming what exists and 400 for bad options.
 */
@Timeout(180)
class HttpEvaluationsIntegrationTest {
  private static final String PATH = "/api/v1/models/curve_forecaster/versions/2.0.0/evaluations";
  private static final String[] AUTH = {"Authorization", "Bearer tok", "X-Mlserve-Actor", "ann"};

  @TempDir static Path storeDir;
  static ServerFixture fx;
  static EvaluationFixture data;
  static EvaluationRunner runner;
  static HttpGateway gateway;
  static HttpTestClient http;

  @BeforeAll
  static void start() throws Exception {
    fx = new ServerFixture(storeDir, m -> GuardPolicy.off(), false);
    data = new EvaluationFixture(fx.registry);
    runner = data.runner(Ticker.system(), Duration.ofMinutes(5), 0);
    assertTrue(fx.server.start().isEmpty());
    gateway = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .admin(fx.registry, fx.server.coordinator()::statuses, "tok")
        .evaluations(runner)
        .build();
    http = new HttpTestClient(gateway.start());
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    runner.close();
    fx.close();
  }

  @Test
  void postRunsAndStoresGetListsReadsAndReports() throws Exception {
    assertEquals(401, http.post(PATH, "{\"dataset\":\"golden\"}").statusCode());
    HttpResponse<String> r = http.post(PATH, "{\"dataset\":\"golden\",\"batch_size\":16}",
        AUTH);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode e = HttpTestClient.json(r);
    String id = e.get("id").asText();
    assertEquals("1.0.0", e.get("baseline_version").asText());
    assertEquals("ann", e.get("actor").asText());
    assertEquals(data.maeRmse(EvaluationFixture.SHIFT)[0],
        e.at("/candidate/metrics/mae").asDouble(), 1e-4, r.body());

    HttpResponse<String> one = http.get(PATH + "/" + id);
    assertEquals(200, one.statusCode());
    assertEquals(new String(EvaluationJson.encode(runner.results().read(
        EvaluationFixture.MODEL, "2.0.0", id)), StandardCharsets.UTF_8), one.body());
    assertEquals(one.body(), r.body(), "the POST answers what GET answers");

    HttpResponse<String> none = http.post(PATH, "{\"dataset\":\"golden\",\"baseline\":"
        + "\"none\"}", AUTH);
    assertEquals(200, none.statusCode(), none.body());
    HttpResponse<String> list = http.get(PATH);
    assertEquals(200, list.statusCode());
    assertEquals(new String(EvaluationListing.json(runner.results().list(
        EvaluationFixture.MODEL, "2.0.0", 20)), StandardCharsets.UTF_8), list.body());
    JsonNode items = HttpTestClient.json(list).get("evaluations");
    assertEquals(2, items.size());
    assertEquals(HttpTestClient.json(none).get("id").asText(), items.get(0).get("id").asText(),
        "newest first");
    assertEquals(0, items.get(0).get("sample").get("rows").size(), list.body());
    assertEquals(1, HttpTestClient.json(http.get(PATH + "?limit=1")).get("evaluations").size());

    HttpResponse<String> report = http.get(PATH + "/" + id + "/report");
    assertEquals(200, report.statusCode());
    assertTrue(report.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    assertTrue(report.body().contains(id), "the report names its evaluation");
  }

  @Test
  void refusalsNameWhatIsWrong() throws Exception {
    HttpResponse<String> dataset = http.post(PATH, "{\"dataset\":\"test\"}", AUTH);
    assertEquals(404, dataset.statusCode());
    assertEquals("model 'curve_forecaster' has no dataset 'test' (datasets: golden)",
        HttpTestClient.error(dataset));
    HttpResponse<String> version = http.post(PATH.replace("2.0.0", "7.0.0"),
        "{\"dataset\":\"golden\"}", AUTH);
    assertEquals(404, version.statusCode());
    assertEquals("model 'curve_forecaster' has no version '7.0.0' (versions: 1.0.0, 2.0.0)",
        HttpTestClient.error(version));
    HttpResponse<String> size = http.post(PATH, "{\"dataset\":\"golden\",\"batch_size\":0}",
        AUTH);
    assertEquals(400, size.statusCode());
    assertEquals("the batch size must be between 1 and 65536, got 0",
        HttpTestClient.error(size));
    HttpResponse<String> field = http.post(PATH, "{\"dataset\":\"golden\",\"bogus\":1}", AUTH);
    assertEquals(400, field.statusCode());
    assertTrue(HttpTestClient.error(field).startsWith("unknown field 'bogus'"));
    HttpResponse<String> kind = http.post(PATH, "{\"dataset\":\"golden\",\"kind\":\"x\"}",
        AUTH);
    assertEquals(400, kind.statusCode(), kind.body());
    assertEquals(404, http.get(PATH + "/20261129T000000000Z-00000000").statusCode());
    assertEquals(404, http.get(PATH + "/../x").statusCode());
  }
}
