package io.mlserve.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.mlserve.server.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Webhook delivery to a local HTTP receiver: the body, retries, a dead receiver. */
class AlertNotifierTest {
  private static final long T0 = 1_795_000_000_000L;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** A request the receiver got. */
  private record Received(String contentType, String body) {}

  private HttpServer server;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final ConcurrentLinkedQueue<Integer> answers = new ConcurrentLinkedQueue<>();
  private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
  private AlertNotifier notifier;

  private URI receiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      received.add(new Received(exchange.getRequestHeaders().getFirst("Content-Type"),
          new String(body, java.nio.charset.StandardCharsets.UTF_8)));
      Integer status = answers.poll();
      exchange.sendResponseHeaders(status == null ? 200 : status, -1);
      exchange.close();
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  @AfterEach
  void stop() {
    if (notifier != null) {
      notifier.close();
    }
    if (server != null) {
      server.stop(0);
    }
  }

  private static AlertTransition firing(String model, String version, long at) {
    return new AlertTransition("HighLatency", new Scope(model, version), AlertState.PENDING,
        AlertState.FIRING, 0.35, 0.2, "warning",
        Map.of("alertname", "HighLatency", "severity", "warning", "model", model,
            "version", version, "team", "ml"),
        Map.of("summary", "p95 of " + model + " is 350 ms", "runbook", "https://runbooks/x"),
        at - 60_000, at);
  }

  private static AlertTransition resolvedProcess(long at) {
    return new AlertTransition("HighMemory", Scope.PROCESS, AlertState.FIRING,
        AlertState.RESOLVED, 0.5, 0.8, "critical",
        Map.of("alertname", "HighMemory", "severity", "critical", "team", "ml"),
        Map.of("runbook", "https://runbooks/x"), at - 120_500, at);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  @Test
  void postsAlertmanagersWebhookBodyFieldByField() throws Exception {
    URI url = receiver();
    notifier = new AlertNotifier(List.of(new WebhookConfig(url, 3, TIMEOUT)),
        () -> "http://mlserve.example:8080", sleeps::add, 10);
    notifier.notify(List.of(firing("curve forecaster", "1.2.0", T0), resolvedProcess(T0)));
    Received r = received.poll(20, TimeUnit.SECONDS);
    assertEquals("application/json", r.contentType());
    JsonNode body = Json.MAPPER.readTree(r.body());
    assertEquals("mlserve", body.get("receiver").asText());
    assertEquals("firing", body.get("status").asText(), "any firing alert makes the group fire");
    assertEquals("4", body.get("version").asText());
    assertEquals("{}:{}", body.get("groupKey").asText());
    assertEquals(0, body.get("truncatedAlerts").asInt());
    assertEquals("http://mlserve.example:8080", body.get("externalURL").asText());
    assertEquals(0, body.get("groupLabels").size());
    assertEquals(Map.of("team", "ml"), Json.MAPPER.convertValue(body.get("commonLabels"),
        Map.class));
    assertEquals(Map.of("runbook", "https://runbooks/x"),
        Json.MAPPER.convertValue(body.get("commonAnnotations"), Map.class));
    assertEquals(2, body.get("alerts").size());

    JsonNode a = body.get("alerts").get(0);
    assertEquals("firing", a.get("status").asText());
    assertEquals(Map.of("alertname", "HighLatency", "severity", "warning",
        "model", "curve forecaster", "version", "1.2.0", "team", "ml"),
        Json.MAPPER.convertValue(a.get("labels"), Map.class));
    assertEquals("p95 of curve forecaster is 350 ms", a.get("annotations").get("summary")
        .asText());
    assertEquals(java.time.Instant.ofEpochMilli(T0 - 60_000).toString(),
        a.get("startsAt").asText());
    assertEquals("0001-01-01T00:00:00Z", a.get("endsAt").asText());
    assertEquals("http://mlserve.example:8080/api/v1/alerts?model=curve+forecaster",
        a.get("generatorURL").asText());
    assertEquals(AlertmanagerPayload.fingerprint(firing("curve forecaster", "1.2.0", 0)
        .labels()), a.get("fingerprint").asText());
    assertTrue(a.get("fingerprint").asText().matches("[0-9a-f]{16}"));

    JsonNode p = body.get("alerts").get(1);
    assertEquals("resolved", p.get("status").asText());
    assertEquals(java.time.Instant.ofEpochMilli(T0 - 120_500).toString(),
        p.get("startsAt").asText());
    assertEquals(java.time.Instant.ofEpochMilli(T0).toString(), p.get("endsAt").asText());
    assertEquals("http://mlserve.example:8080/api/v1/alerts", p.get("generatorURL").asText());
    await(() -> notifier.stats().get(0).delivered() == 1, "delivered");
    assertEquals(List.of(), sleeps);
  }

  @Test
  void theFingerprintIsPrometheusLabelSetFingerprint() {
    // The values prometheus/common's model/signature_test.go expects of labelSetToFingerprint.
    assertEquals(hex(5799056148416392346L), AlertmanagerPayload.fingerprint(
        Map.of("name", "garland, briggs", "fear", "love is not enough")));
    assertEquals(hex(Long.parseUnsignedLong("3195800080984914717")),
        AlertmanagerPayload.fingerprint(Map.of("first-label", "first-label-value",
            "second-label", "second-label-value")));
    assertEquals(hex(Long.parseUnsignedLong("14695981039346656037")),
        AlertmanagerPayload.fingerprint(Map.of()));
  }

  private static String hex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }

  @Test
  void onlyFiringAndResolvedAreNotifiedAndAllResolvedReadsResolved() throws Exception {
    URI url = receiver();
    notifier = new AlertNotifier(List.of(new WebhookConfig(url, 1, TIMEOUT)), () -> "",
        sleeps::add, 10);
    AlertTransition pending = new AlertTransition("HighLatency", new Scope("m", "1"),
        AlertState.INACTIVE, AlertState.PENDING, 0.3, 0.2, "warning", Map.of(), Map.of(), T0,
        T0);
    notifier.notify(List.of(pending));
    notifier.notify(List.of(pending, resolvedProcess(T0)));
    JsonNode body = Json.MAPPER.readTree(received.poll(20, TimeUnit.SECONDS).body());
    assertEquals("resolved", body.get("status").asText());
    assertEquals(1, body.get("alerts").size(), "the pending transition is left out");
    await(() -> notifier.stats().get(0).delivered() == 1, "delivered");
    assertEquals(1, notifier.stats().get(0).attempts(), "nothing was posted for pending alone");
  }

  @Test
  void aServerErrorIsRetriedWithBackoffThenDelivered() throws Exception {
    URI url = receiver();
    answers.add(500);
    answers.add(503);
    notifier = new AlertNotifier(List.of(new WebhookConfig(url, 5, TIMEOUT)), () -> "",
        sleeps::add, 10);
    notifier.notify(List.of(firing("m", "1", T0)));
    Received first = received.poll(20, TimeUnit.SECONDS);
    Received second = received.poll(20, TimeUnit.SECONDS);
    Received third = received.poll(20, TimeUnit.SECONDS);
    assertEquals(first.body(), second.body());
    assertEquals(first.body(), third.body());
    await(() -> notifier.stats().get(0).delivered() == 1, "delivered");
    AlertNotifier.Stats s = notifier.stats().get(0);
    assertEquals(3, s.attempts());
    assertEquals(0, s.failed());
    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), sleeps);
  }

  @Test
  void aClientErrorIsNotRetried() throws Exception {
    URI url = receiver();
    answers.add(400);
    notifier = new AlertNotifier(List.of(new WebhookConfig(url, 5, TIMEOUT)), () -> "",
        sleeps::add, 10);
    notifier.notify(List.of(firing("m", "1", T0)));
    await(() -> notifier.stats().get(0).failed() == 1, "failed");
    assertEquals(1, notifier.stats().get(0).attempts());
    assertEquals(List.of(), sleeps);
  }

  @Test
  void aDeadReceiverExhaustsItsAttemptsAndItsQueueStaysBounded() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: connections are refused
    }
    CountDownLatch inBackoff = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AlertNotifier.Sleeper sleeper = d -> {
      sleeps.add(d);
      inBackoff.countDown();
      release.await();
    };
    URI dead = URI.create("http://127.0.0.1:" + port + "/hook");
    notifier = new AlertNotifier(List.of(new WebhookConfig(dead, 3, TIMEOUT)), () -> "",
        sleeper, 3);
    notifier.notify(List.of(firing("m", "1", T0)));
    assertTrue(inBackoff.await(20, TimeUnit.SECONDS), "the first attempt failed");
    for (int i = 0; i < 7; i++) { // the sender is waiting: these queue, the oldest are dropped
      notifier.notify(List.of(firing("m", "1", T0 + i)));
    }
    AlertNotifier.Stats waiting = notifier.stats().get(0);
    assertEquals(3, waiting.queued());
    assertEquals(4, waiting.dropped());
    assertTrue(notifier.metricsText().contains(
        "mlserve_alert_notifications_dropped_total{webhook=\"" + dead + "\"} 4\n"),
        notifier.metricsText());
    release.countDown();
    await(() -> notifier.stats().get(0).failed() == 4, "every kept batch failed");
    AlertNotifier.Stats s = notifier.stats().get(0);
    assertEquals(0, s.delivered());
    assertEquals(0, s.queued());
    assertEquals(12, s.attempts(), "3 attempts for each of the 4 batches kept");
    List<Duration> expected = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      expected.add(Duration.ofSeconds(1));
      expected.add(Duration.ofSeconds(2));
    }
    assertEquals(expected, sleeps);
  }

  @Test
  void backoffDoublesUpToAMinute() {
    assertEquals(Duration.ofSeconds(1), AlertNotifier.backoff(1));
    assertEquals(Duration.ofSeconds(8), AlertNotifier.backoff(4));
    assertEquals(Duration.ofSeconds(60), AlertNotifier.backoff(7));
    assertEquals(Duration.ofSeconds(60), AlertNotifier.backoff(40));
  }
}
