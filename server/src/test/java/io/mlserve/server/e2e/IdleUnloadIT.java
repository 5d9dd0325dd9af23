package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.server.testing.DemoModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle unload end to end, over loopback with the real engine: the launched demo with
 * {@code --idle-unload-seconds 1} unloads its idle Staging version 1.1.0 (seen in
 * {@code /metrics} and {@code /readyz}) while its Production 1.0.0 stays loaded, and the next
 * request for Staging loads it again and gets the golden answer. Every wait is bounded (the
 * unload is awaited by polling {@code /metrics} for at most 120 s; calls have 120 s timeouts)
 * and nothing asserts how long anything took.
 */
class IdleUnloadIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STAGING_LOADED =
      "mlserve_model_loaded{model=\"curve_forecaster\",version=\"1.1.0\"} ";

  @TempDir Path tmp;
  private LauncherProcess demo;

  @AfterEach
  void stop() throws Exception {
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  void idleStagingIsUnloadedThenReloadedByItsNextRequest() throws Exception {
    demo = LauncherProcess.startInTmp(tmp,
        "demo", "--grpc-port", "0", "--http-port", "0", "--bind", "127.0.0.1",
        "--idle-unload-seconds", "1");
    Matcher ready = demo.awaitReady();
    int httpPort = Integer.parseInt(ready.group(2));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    // The counter moves once the drain is over and the engine freed: then the state is final.
    String metrics = awaitMetric(http, httpPort,
        "mlserve_model_unloads_total{model=\"curve_forecaster\",version=\"1.1.0\"} 1");
    assertTrue(metrics.contains(STAGING_LOADED + "0"), metrics);
    assertTrue(metrics.contains(
        "mlserve_model_loaded{model=\"curve_forecaster\",version=\"1.0.0\"} 1"),
        "Production stays loaded: " + metrics);
    assertTrue(metrics.contains(
        "mlserve_model_unloads_total{model=\"curve_forecaster\",version=\"1.0.0\"} 0"), metrics);
    JsonNode model = readyzModel(http, httpPort);
    assertEquals("unloaded", versionState(model, "1.1.0"), model.toString());
    assertEquals("loaded", versionState(model, "1.0.0"), model.toString());

    HttpResponse<String> predict = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort + "/api/v1/predict"))
        .timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"curve_forecaster\",\"stage\":\"Staging\",\"input\":"
                + DemoModel.examples().get("inputs").get(0) + "}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, predict.statusCode(), predict.body());
    JsonNode out = JSON.readTree(predict.body());
    assertEquals("1.1.0", out.get("version").asText());
    float[] want = DemoModel.row(DemoModel.examples().get("outputs"), 0);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], out.get("output").get(i).floatValue(), 1e-5, "output " + i);
    }
    String after = get(http, httpPort, "/metrics").body();
    assertTrue(after.contains(
        "mlserve_model_reloads_total{model=\"curve_forecaster\",version=\"1.1.0\"} 1"), after);
    assertTrue(after.contains("mlserve_requests_total{model=\"curve_forecaster\","
        + "version=\"1.1.0\",outcome=\"ok\"} 1"), after);
  }

  /** Polls {@code /metrics} until it has {@code line}, for at most 120 s. */
  private static String awaitMetric(HttpClient http, int port, String line) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    String body = "";
    while (System.nanoTime() < until) {
      body = get(http, port, "/metrics").body();
      if (body.contains(line)) {
        return body;
      }
      TimeUnit.MILLISECONDS.sleep(100); // a poll interval, not a wait for correctness
    }
    fail("no '" + line + "' in /metrics within 120 s: " + body);
    return body;
  }

  private static JsonNode readyzModel(HttpClient http, int port) throws Exception {
    HttpResponse<String> readyz = get(http, port, "/readyz");
    assertEquals(200, readyz.statusCode(), "an unloaded Staging version keeps the server ready: "
        + readyz.body());
    for (JsonNode m : JSON.readTree(readyz.body()).get("models")) {
      if (m.get("name").asText().equals("curve_forecaster")) {
        return m;
      }
    }
    throw new AssertionError("no curve_forecaster in " + readyz.body());
  }

  private static String versionState(JsonNode model, String version) {
    for (JsonNode v : model.get("instances")) {
      if (v.get("version").asText().equals(version)) {
        return v.get("state").asText();
      }
    }
    throw new AssertionError("no version " + version + " in " + model);
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path)
      throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
