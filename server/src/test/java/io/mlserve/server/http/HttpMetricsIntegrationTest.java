package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.MAPPER;
import static io.mlserve.server.http.HttpTestClient.error;
import static io.mlserve.server.http.HttpTestClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlserve.server.history.HistoryLimits;
import io.mlserve.server.history.ManualClock;
import io.mlserve.server.history.MetricsHistory;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Stage;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's metrics endpoints over a real gateway on loopback, in front of a real server
 * (DJL demo model, temp store): live and history after HTTP traffic, history read back by a
 * new sampler over the same store (a restart), parameter checks. Time is a manual clock: each
 * "second" of traffic is a batch of requests, then the clock moves and the sampler ticks.
 */
class HttpMetricsIntegrationTest {
  static final String MODEL = "curve_forecaster";
  static final long T0_MS = 20_000L * 86_400_000L; // a UTC midnight

  @TempDir static Path storeDir;
  static ServerFixture fx;
  static ManualClock clock = new ManualClock(T0_MS);
  static MetricsHistory history;
  static HttpGateway gateway;
  static HttpTestClient http;

  @BeforeAll
  static void start() throws Exception {
    fx = new ServerFixture(storeDir, m -> GuardPolicy.off(), true);
    fx.registerDemo("1.0.0", false);
    fx.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
    assertTrue(fx.server.start().isEmpty());
    history = new MetricsHistory(fx.metrics, fx.store.root(), HistoryLimits.defaults(), clock);
    gateway = gateway(history);
    http = new HttpTestClient(gateway.start());
  }

  static HttpGateway gateway(MetricsHistory h) {
    return HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .metricsHistory(h)
        .build();
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    history.close();
    fx.close();
  }

  static String predictBody() throws Exception {
    ObjectNode b = MAPPER.createObjectNode().put("model", MODEL);
    b.set("input", DemoModel.examples().get("inputs").get(0));
    return b.toString();
  }

  @Test
  void liveAndHistoryShowTheTrafficAndHistorySurvivesARestart() throws Exception {
    history.sampleNow(); // the baseline
    String body = predictBody();
    for (int s = 0; s < 12; s++) { // 12 "seconds" at 5 requests each
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> r = http.post("/api/v1/predict", body);
        assertEquals(200, r.statusCode(), r.body());
      }
      clock.advanceSeconds(1);
      history.sampleNow();
    }

    HttpResponse<String> r = http.get("/api/v1/metrics/live?model=" + MODEL + "&seconds=30");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode live = json(r);
    assertEquals(30, live.get("seconds").size());
    assertEquals(T0_MS / 1000 + 12, live.get("seconds").get(29).asLong(), r.body());
    JsonNode version = live.get("versions").get(0);
    assertEquals(MODEL, version.get("model").asText());
    assertEquals("1.0.0", version.get("version").asText());
    assertEquals(5.0, version.get("series").get("rate").get(29).asDouble(), r.body());
    assertTrue(version.get("series").get("rate").get(0).isNull(), "before the first sample");
    assertTrue(version.get("series").get("p95_ms").get(29).asDouble() > 0, r.body());
    assertEquals(0.0, version.get("series").get("error_rate").get(29).asDouble());
    assertTrue(live.get("process").get("series").has("cpu_ratio"), r.body());
    JsonNode transport = live.get("transports").get(0);
    assertEquals("http", transport.get("transport").asText(), r.body());
    assertEquals(5.0, transport.get("series").get("transport_rate").get(29).asDouble());

    String query = "/api/v1/metrics/history?series=rate,p95_ms&model=" + MODEL + "&range=1h";
    JsonNode hist = json(http.get(query));
    assertEquals("10s", hist.get("resolution").asText(), hist.toString());
    assertEquals(10, hist.get("step_seconds").asInt());
    assertFalse(hist.get("truncated").asBoolean());
    JsonNode rate = series(hist, "rate");
    assertEquals(T0_MS / 1000, rate.get("seconds").get(0).asLong(), hist.toString());
    assertEquals(5.0, rate.get("values").get(0).asDouble(), hist.toString());
    assertEquals("max", series(hist, "p95_ms").get("fold").asText());

    // a restart: the sampler flushes and closes; a new one over the same store reads it back
    history.close();
    MetricsHistory again = new MetricsHistory(fx.metrics, fx.store.root(),
        HistoryLimits.defaults(), clock);
    HttpGateway second = gateway(again);
    try {
      HttpTestClient c = new HttpTestClient(second.start());
      JsonNode after = json(c.get(query));
      assertEquals(rate.get("values").get(0), series(after, "rate").get("values").get(0));
      assertEquals(2, series(after, "rate").get("seconds").size(), "the flushed bucket too: "
          + after);
    } finally {
      second.close();
      again.close();
    }
  }

  static JsonNode series(JsonNode answer, String metric) {
    for (JsonNode s : answer.get("series")) {
      if (s.get("metric").asText().equals(metric)) {
        return s;
      }
    }
    throw new AssertionError("no " + metric + " in " + answer);
  }

  @Test
  void badParametersAre400sThatSayWhatIsWrong() throws Exception {
    String[][] cases = {
        {"/api/v1/metrics/history?model=m", "series is required"},
        {"/api/v1/metrics/history?series=rate,nope", "unknown series 'nope'"},
        {"/api/v1/metrics/history?series=rate&range=2y", "range must be"},
        {"/api/v1/metrics/history?series=rate&range=400d", "range must be"},
        {"/api/v1/metrics/history?series=rate&version=1.0.0", "version needs model"},
        {"/api/v1/metrics/history?series=rate&points=5", "points must be a whole number"},
        {"/api/v1/metrics/history?series=rate&sries=x", "unknown parameter 'sries'"},
        {"/api/v1/metrics/live?seconds=0", "seconds must be a whole number from 1 to 300"},
        {"/api/v1/metrics/live?seconds=ten", "seconds must be"},
        {"/api/v1/metrics/live?model=" + URLEncoder.encode("../x", StandardCharsets.UTF_8),
            "model must match"},
        {"/api/v1/metrics/live?model=a&model=b", "more than once"},
        {"/api/v1/metrics/series?x=1", "this endpoint takes none"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = http.get(c[0]);
      assertEquals(400, r.statusCode(), c[0] + " " + r.body());
      assertTrue(error(r).contains(c[1]), c[0] + " " + r.body());
    }
  }

  @Test
  void withoutHistoryTheHistoryIs404AndLiveStillAnswers() throws Exception {
    MetricsHistory liveOnly = new MetricsHistory(fx.metrics, null, null, clock);
    HttpGateway g = gateway(liveOnly);
    try {
      HttpTestClient c = new HttpTestClient(g.start());
      HttpResponse<String> r = c.get("/api/v1/metrics/history?series=rate");
      assertEquals(404, r.statusCode(), r.body());
      assertTrue(error(r).contains("--no-history"), r.body());
      assertEquals(200, c.get("/api/v1/metrics/live").statusCode());
      assertFalse(json(c.get("/api/v1/metrics/series")).get("history").get("enabled")
          .asBoolean());
    } finally {
      g.close();
      liveOnly.close();
    }
  }

  @Test
  void seriesListsTheMetricsAndTheResolutions() throws Exception {
    JsonNode s = json(http.get("/api/v1/metrics/series"));
    assertEquals(14, s.get("metrics").size(), s.toString());
    assertEquals("p95_ms", s.get("metrics").get(3).get("name").asText());
    assertTrue(s.get("history").get("enabled").asBoolean());
    assertEquals("10s", s.get("history").get("resolutions").get(0).get("name").asText());
    assertEquals(300, s.get("live").get("seconds").asInt());
  }
}
