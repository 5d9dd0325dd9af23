package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.mlserve.server.alerts.AlertConfigFiles;
import io.mlserve.server.alerts.AlertEvents;
import io.mlserve.server.alerts.AlertSettings;
import io.mlserve.server.alerts.GpuProbe;
import io.mlserve.server.alerts.ResourceUsage;
import io.mlserve.server.http.HttpGateway;
import io.mlserve.server.http.HttpOptions;
import io.mlserve.server.json.Json;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.MlctlRun;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Event;
import io.mlserve.store.Stage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts end to end through a real server over loopback (the DJL engine, gRPC on Netty, the REST
 * gateway), a rules file read as {@code --alert-rules} reads it, a 200 ms interval and a local
 * webhook receiver: REST traffic makes {@code request_rate > 0} fire for the Production version
 * (listed by {@code GET /api/v1/alerts} and {@code mlctl alerts}, appended as
 * {@code ml.alert.firing.v1} with its value and threshold, posted in Alertmanager's format); a
 * promotion under traffic re-scopes (the old version's alert resolves, the new one's fires); when
 * traffic stops the 2 s window passes and it resolves. No sleep decides anything: each wait
 * polls with a deadline.
 */
class AlertsIT {
  private static final String MODEL = "curve_forecaster";
  private static final long AWAIT_SECONDS = 60;

  @TempDir Path dir;
  private ServerFixture fx;
  private HttpGateway gateway;
  private HttpServer receiver;
  private final LinkedBlockingQueue<JsonNode> posted = new LinkedBlockingQueue<>();
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private int httpPort;

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (fx != null) {
      fx.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  private void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/hook", exchange -> {
      posted.add(Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes()));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private void predict() throws Exception {
    ObjectNode body = Json.MAPPER.createObjectNode().put("model", MODEL);
    body.set("input", DemoModel.examples().get("inputs").get(0));
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + httpPort + "/api/v1/predict"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
  }

  /** An action between two polls. */
  private interface Between {
    void run() throws Exception;
  }

  /** Sends requests until {@code done} yields a value; fails after the deadline. */
  private <T> T withTraffic(Supplier<Optional<T>> done, String what) throws Exception {
    return poll(done, what, () -> {
      for (int i = 0; i < 5; i++) {
        predict();
      }
    });
  }

  /** Waits (no traffic) until {@code done} yields a value; fails after the deadline. */
  private static <T> T await(Supplier<Optional<T>> done, String what) throws Exception {
    return poll(done, what, () -> Thread.sleep(20));
  }

  private static <T> T poll(Supplier<Optional<T>> done, String what, Between between)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
    while (true) {
      Optional<T> v = done.get();
      if (v.isPresent()) {
        return v.get();
      }
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      between.run();
    }
  }

  /** The first alert event of {@code type} for {@code version}. */
  private Optional<Event> event(String type, String version) {
    return fx.events.readSince(0).stream().filter(e -> e.eventType().equals(type)
        && version.equals(e.version())).findFirst();
  }

  /** The active alerts GET /api/v1/alerts lists. */
  private JsonNode active() {
    try {
      HttpResponse<String> r = get("/api/v1/alerts?model=" + MODEL);
      assertEquals(200, r.statusCode(), r.body());
      return Json.MAPPER.readTree(r.body()).get("active");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The next webhook body whose alerts include {@code version} with {@code status}. */
  private JsonNode posted(String version, String status) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
    while (System.nanoTime() < deadline) {
      JsonNode body = posted.poll(1, TimeUnit.SECONDS);
      if (body == null) {
        continue;
      }
      for (JsonNode a : body.get("alerts")) {
        if (a.get("labels").get("version").asText().equals(version)
            && a.get("status").asText().equals(status)) {
          return body;
        }
      }
    }
    throw new AssertionError("no webhook post with " + version + " " + status);
  }

  @Test
  void trafficFiresAnAlertPromotionReScopesAndSilenceResolvesIt() throws Exception {
    startReceiver();
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(rules, String.join("\n",
        "defaults: false",
        "rules:",
        "  - name: Traffic",
        "    expr: request_rate > 0",
        "    window: 2s",
        "    for: 0s",
        "    severity: info",
        "    labels: {team: ml}",
        "    annotations: {summary: '{{ $labels.model }} {{ $labels.version }} takes traffic'}",
        "webhooks:",
        "  - url: http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
        "    max_attempts: 3",
        "    timeout: 2s",
        ""), StandardCharsets.UTF_8);
    fx = ServerFixture.withAlerts(dir.resolve("store"), new AlertSettings(
        AlertConfigFiles.load(rules), Duration.ofMillis(200),
        ResourceUsage.system(GpuProbe.NONE), () -> "http://127.0.0.1:" + httpPort));
    fx.registerDemo("1.0.0", true);
    fx.registerDemo("1.1.0", true);
    fx.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
    assertEquals(List.of(), fx.server.start());
    gateway = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .alerts(fx.server::alertReport)
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .build();
    httpPort = gateway.start();

    // Traffic: the alert fires for 1.0.0.
    Event firing = withTraffic(() -> event(AlertEvents.FIRING, "1.0.0"), "the firing event");
    assertEquals(MODEL, firing.modelName());
    assertEquals("Traffic", firing.field("alertname").asText());
    assertEquals("firing", firing.field("state").asText());
    assertTrue(firing.field("value").asDouble() > 0, firing.toJson());
    assertEquals(0.0, firing.field("threshold").asDouble(), 0);
    assertEquals("ml", firing.field("labels").get("team").asText());
    JsonNode listed = withTraffic(() -> {
      JsonNode a = active();
      return a.size() == 1 ? Optional.of(a.get(0)) : Optional.empty();
    }, "the alert listed");
    assertEquals("Traffic", listed.get("alertname").asText());
    assertEquals("firing", listed.get("state").asText());
    assertEquals("1.0.0", listed.get("version").asText());
    assertEquals(0.0, listed.get("threshold").asDouble(), 0);
    assertEquals("curve_forecaster 1.0.0 takes traffic",
        listed.get("annotations").get("summary").asText());
    JsonNode body = posted("1.0.0", "firing");
    assertEquals("4", body.get("version").asText());
    assertEquals("mlserve", body.get("receiver").asText());
    assertEquals("firing", body.get("status").asText());
    JsonNode alert = body.get("alerts").get(0);
    assertEquals("Traffic", alert.get("labels").get("alertname").asText());
    assertEquals(MODEL, alert.get("labels").get("model").asText());
    assertEquals("0001-01-01T00:00:00Z", alert.get("endsAt").asText());
    assertEquals("http://127.0.0.1:" + httpPort + "/api/v1/alerts?model=" + MODEL,
        alert.get("generatorURL").asText());

    // mlctl alerts over gRPC: the same alert, the same JSON shape.
    MlctlRun.Result json = MlctlRun.run("--server", "127.0.0.1:" + fx.server.grpcPort(),
        "--output", "json", "alerts", "--model", MODEL);
    assertEquals(0, json.code(), json.err());
    JsonNode viaGrpc = Json.MAPPER.readTree(json.out());
    assertTrue(viaGrpc.get("enabled").asBoolean() && viaGrpc.get("evaluating").asBoolean());
    assertEquals("Traffic", viaGrpc.get("rules").get(0).get("name").asText());
    assertEquals("2s", viaGrpc.get("rules").get(0).get("window").asText());
    MlctlRun.Result table = MlctlRun.run("--server", "127.0.0.1:" + fx.server.grpcPort(),
        "alerts");
    assertEquals(0, table.code(), table.err());
    assertTrue(table.out().contains("Traffic") && table.out().contains(MODEL + " 1.0.0"),
        table.out());

    // A promotion under traffic: 1.0.0's alert resolves, 1.1.0's fires.
    fx.registry.promote(MODEL, "1.1.0", Stage.PRODUCTION, "test", "re-scope");
    Event resolvedOld = withTraffic(() -> event(AlertEvents.RESOLVED, "1.0.0"),
        "1.0.0's alert resolved after the promotion");
    assertEquals("resolved", resolvedOld.field("state").asText());
    withTraffic(() -> event(AlertEvents.FIRING, "1.1.0"), "1.1.0's alert firing");
    posted("1.0.0", "resolved");

    // Silence: the window passes and 1.1.0's alert resolves too.
    Event resolved = await(() -> event(AlertEvents.RESOLVED, "1.1.0"), "the resolved event");
    assertTrue(resolved.field("active_since").asLong() > 0);
    await(() -> active().isEmpty() ? Optional.of(true) : Optional.empty(), "no active alert");
    JsonNode resolvedBody = posted("1.1.0", "resolved");
    assertEquals("resolved", resolvedBody.get("status").asText());
    JsonNode recent = Json.MAPPER.readTree(get("/api/v1/alerts").body()).get("recent");
    assertEquals("resolved", recent.get(0).get("to").asText(), "newest first");
  }
}
