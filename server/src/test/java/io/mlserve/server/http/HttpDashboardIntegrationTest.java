package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.MAPPER;
import static io.mlserve.server.http.HttpTestClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.history.HistoryLimits;
import io.mlserve.server.history.ManualClock;
import io.mlserve.server.history.MetricsHistory;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Stage;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard over a real gateway on loopback, in front of a real server (DJL demo model, temp
 * store): its static files (content types, caching, CSP, the redirect from {@code /}, refused
 * traversal), the overview (models with stages and live figures from a sampler on a manual
 * clock), usage by model, version and client, and the model card rendered with raw HTML
 * escaped.
 */
class HttpDashboardIntegrationTest {
  static final String MODEL = "curve_forecaster";
  static final String CARDED = "carded";
  static final String CARD = "# Forecaster\n\nPredicts **curves**.\n\n<script>alert('x')</script>"
      + "\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n";

  @TempDir static Path storeDir;
  static ServerFixture fx;
  static ManualClock clock = new ManualClock(20_000L * 86_400_000L);
  static MetricsHistory history;
  static HttpGateway gateway;
  static HttpTestClient http;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    fx = new ServerFixture(storeDir, m -> GuardPolicy.off(), true);
    fx.registerDemo("1.0.0", false);
    fx.registerDemo("1.1.0", false);
    fx.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
    fx.registry.promote(MODEL, "1.1.0", Stage.STAGING, "test", "setup");
    RegisterRequest demo =
        RegisterRequest.fromManifestFile(DemoModel.dir().resolve("model.json"), "test");
    fx.registry.register(new RegisterRequest(CARDED, "0.1.0", demo.artifact(), demo.format(),
        demo.signature(), demo.serving(), null, null, null, CARD, null, "test"));
    fx.registry.promote(CARDED, "0.1.0", Stage.PRODUCTION, "test", "setup");
    var failed = fx.server.start();
    assertTrue(failed.isEmpty(), String.valueOf(failed));
    history = new MetricsHistory(fx.metrics, fx.store.root(), HistoryLimits.defaults(), clock);
    gateway = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .admin(fx.registry, fx.server.coordinator()::statuses, "tok")
        .metricsHistory(history)
        .usage(fx.server.usage())
        .build();
    port = gateway.start();
    http = new HttpTestClient(port);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    history.close();
    fx.close();
  }

  @Test
  void staticFilesHaveTheirContentTypesAndCaching() throws Exception {
    HttpResponse<String> root = http.get("/");
    assertEquals(302, root.statusCode());
    assertEquals("/ui/", root.headers().firstValue("Location").orElse(null));

    for (String p : new String[] {"/ui/", "/ui", "/ui/index.html"}) {
      HttpResponse<String> index = http.get(p);
      assertEquals(200, index.statusCode(), p);
      assertEquals("text/html; charset=utf-8", type(index), p);
      assertTrue(index.body().contains("/ui/app.js"), index.body());
      assertTrue(index.headers().firstValue("Content-Security-Policy").orElse("")
          .contains("script-src 'self'"), p);
      assertEquals("no-cache", index.headers().firstValue("Cache-Control").orElse(null));
    }
    Map<String, String> types = new HashMap<>();
    types.put("/ui/app.js", "text/javascript; charset=utf-8");
    types.put("/ui/style.css", "text/css; charset=utf-8");
    types.put("/ui/vendor/uplot/uPlot.iife.min.js", "text/javascript; charset=utf-8");
    types.put("/ui/vendor/uplot/uPlot.min.css", "text/css; charset=utf-8");
    for (Map.Entry<String, String> e : types.entrySet()) {
      HttpResponse<String> r = http.get(e.getKey());
      assertEquals(200, r.statusCode(), e.getKey());
      assertEquals(e.getValue(), type(r), e.getKey());
      assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null));
      assertFalse(r.body().isEmpty());
    }
    assertEquals("public, max-age=86400", http.get("/ui/vendor/uplot/uPlot.iife.min.js")
        .headers().firstValue("Cache-Control").orElse(null));

    String etag = http.get("/ui/app.js").headers().firstValue("ETag").orElseThrow();
    String notModified = raw("GET /ui/app.js HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag
        + "\r\nConnection: close\r\n\r\n");
    assertTrue(notModified.startsWith("HTTP/1.1 304"), notModified);
  }

  @Test
  void traversalAndUnknownFilesAre404s() throws Exception {
    String[] paths = {
        "/ui/../io/mlserve/server/MlServer.class",
        "/ui/%2e%2e/%2e%2e/META-INF/MANIFEST.MF",
        "/ui/..%2f..%2fMETA-INF%2fMANIFEST.MF",
        "/ui/vendor/uplot/../../../io/mlserve/ui/index.html",
        "/ui/vendor/uplot/..%5c..%5cLICENSE",
        "/ui/./index.html",
        "/ui/vendor/uplot/uPlot.d.ts",
        "/ui/nope.js",
        "/ui/.hidden.js",
    };
    for (String p : paths) {
      String answer = raw("GET " + p + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 404"), p + ": " + answer);
      assertFalse(answer.contains("Manifest-Version") || answer.contains("<html"), p);
    }
  }

  @Test
  void overviewListsModelsWithStagesAndFigures() throws Exception {
    history.sampleNow(); // the baseline
    for (int i = 0; i < 5; i++) {
      assertEquals(200, http.post("/api/v1/predict", predictBody()).statusCode());
    }
    clock.advanceSeconds(1);
    history.sampleNow();

    HttpResponse<String> r = http.get("/api/v1/dashboard/overview");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode o = json(r);
    JsonNode m = find(o.get("models"), "name", MODEL);
    assertEquals("1.0.0", m.get("production").asText(), r.body());
    assertEquals("1.1.0", m.get("staging").asText(), r.body());
    assertTrue(m.get("split").isNull());
    JsonNode v1 = find(m.get("versions"), "version", "1.0.0");
    assertEquals("Production", v1.get("stage").asText());
    assertEquals(5.0, v1.get("rate").asDouble(), r.body());
    assertTrue(v1.get("p95_ms").asDouble() > 0, r.body());
    assertEquals(0.0, v1.get("error_rate").asDouble(), r.body());
    JsonNode v2 = find(m.get("versions"), "version", "1.1.0");
    assertEquals("Staging", v2.get("stage").asText());
    assertTrue(v2.get("rate").isNull() || v2.get("rate").asDouble() == 0, r.body());
    assertEquals("Production", find(find(o.get("models"), "name", CARDED).get("versions"),
        "version", "0.1.0").get("stage").asText());
    assertTrue(o.get("serves").get("metrics").asBoolean(), r.body());
    assertFalse(o.get("serves").get("drift").asBoolean(), "no drift monitor given: " + r.body());
  }

  @Test
  void usageCountsByModelVersionAndClient() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(200, http.post("/api/v1/predict", predictBody(),
          "X-Mlserve-Routing-Key", "alice").statusCode());
    }
    assertEquals(200, http.post("/api/v1/predict", predictBody(),
        "X-Mlserve-Routing-Key", "bob").statusCode());
    JsonNode u = json(http.get("/api/v1/dashboard/usage"));
    Map<String, Long> byClient = new HashMap<>();
    for (JsonNode row : u.get("rows")) {
      assertEquals(MODEL, row.get("model").asText(), u.toString());
      assertEquals("1.0.0", row.get("version").asText(), u.toString());
      byClient.put(row.get("client").asText(), row.get("requests").asLong());
      assertEquals(0, row.get("errors").asLong());
    }
    assertEquals(3L, byClient.get("alice"), u.toString());
    assertEquals(1L, byClient.get("bob"), u.toString());
  }

  @Test
  void theModelCardIsRenderedWithRawHtmlEscaped() throws Exception {
    HttpResponse<String> r = http.get("/api/v1/models/" + CARDED + "/versions/0.1.0/card");
    assertEquals(200, r.statusCode(), r.body());
    String html = json(r).get("html").asText();
    assertTrue(html.contains("<h1>Forecaster</h1>"), html);
    assertTrue(html.contains("<strong>curves</strong>"), html);
    assertTrue(html.contains("&lt;script&gt;"), html);
    assertFalse(html.contains("<script"), html);
    assertFalse(html.contains("<img"), html);
    assertFalse(html.contains("javascript:"), html);
    assertEquals(CARD, json(r).get("markdown").asText());

    JsonNode demoCard = json(http.get("/api/v1/models/" + MODEL + "/versions/1.0.0/card"));
    assertTrue(demoCard.get("html").asText().startsWith("<p>MLP forecasting"), demoCard.toString());
    assertEquals(404, http.get("/api/v1/models/nope/versions/1.0.0/card").statusCode());
  }

  static String predictBody() throws Exception {
    ObjectNode b = MAPPER.createObjectNode().put("model", MODEL);
    b.set("input", DemoModel.examples().get("inputs").get(0));
    return b.toString();
  }

  static JsonNode find(JsonNode array, String field, String value) {
    assertNotNull(array);
    for (JsonNode n : array) {
      if (n.get(field).asText().equals(value)) {
        return n;
      }
    }
    throw new AssertionError("no " + field + "=" + value + " in " + array);
  }

  static String type(HttpResponse<String> r) {
    return r.headers().firstValue("Content-Type").orElse(null);
  }

  /** Sends {@code request} as written (no client-side path normalization) and reads it all. */
  static String raw(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
