package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.error;
import static io.mlserve.server.http.HttpTestClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.core.ServerState;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.testing.FakeTicker;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queue-full answers, bulk-job limits, cancellation and expiry, readiness and graceful close,
 * driven deterministically by a model whose engine the test holds and releases.
 */
class HttpGatewayLifecycleTest {
  @TempDir Path dir;
  private final FakeTicker ticker = new FakeTicker();
  private GatedModel model;
  private ModelRouter router;
  private ServerState state;
  private HttpGateway gateway;
  private HttpTestClient http;

  private void start(int maxBatch, int queueCapacity, HttpOptions.Builder options)
      throws Exception {
    model = new GatedModel(dir, maxBatch, queueCapacity);
    router = new ModelRouter();
    router.put(model.served, true);
    state = new ServerState(router::allDefaultsLoaded);
    state.markStarted();
    gateway = HttpGateway.builder(new InferenceService(router, ticker), state)
        .options(options.bind("127.0.0.1").port(0).shutdownGrace(Duration.ofSeconds(30)).build())
        .build();
    http = new HttpTestClient(gateway.start());
  }

  @AfterEach
  void stop() {
    if (model != null) {
      model.open();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (model != null) {
      model.served.close();
    }
  }

  private static String predict(float a, float b) {
    return "{\"model\":\"gated\",\"input\":[" + a + "," + b + "]}";
  }

  private static String batch(int rows, boolean async) {
    StringBuilder sb = new StringBuilder("{\"model\":\"gated\",\"async\":" + async
        + ",\"instances\":[");
    for (int i = 0; i < rows; i++) {
      sb.append(i == 0 ? "" : ",").append('[').append(i).append(',').append(-i).append(']');
    }
    return sb.append("]}").toString();
  }

  private void awaitQueueDepth(int depth) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (model.served.batcher().queueDepth() < depth) {
      assertTrue(System.nanoTime() < deadline, "queue never reached " + depth);
      Thread.sleep(5); // polling interval only
    }
  }

  @Test
  void fullQueueIs503WithRetryAfterAndQueuedRequestsStillComplete() throws Exception {
    start(1, 2, HttpOptions.builder());
    model.hold();
    List<CompletableFuture<HttpResponse<String>>> first = new ArrayList<>();
    first.add(http.postAsync("/api/v1/predict", predict(1, 2)));
    model.awaitEntered(); // the runner holds request 0; the queue is empty
    first.add(http.postAsync("/api/v1/predict", predict(3, 4)));
    first.add(http.postAsync("/api/v1/predict", predict(5, 6)));
    awaitQueueDepth(2);
    HttpResponse<String> refused = http.post("/api/v1/predict", predict(7, 8));
    assertEquals(503, refused.statusCode(), refused.body());
    assertEquals("1", refused.headers().firstValue("retry-after").orElseThrow());
    assertTrue(error(refused).contains("full"), refused.body());
    model.open();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = first.get(i).get(30, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("[" + (4f * i + 2) + "," + (4f * i + 4) + "]",
          json(r).get("output").toString());
    }
  }

  @Test
  void bulkJobCanBeCancelledWhileRunning() throws Exception {
    start(4, 64, HttpOptions.builder());
    model.hold();
    HttpResponse<String> accepted = http.post("/api/v1/batch", batch(10, true));
    assertEquals(202, accepted.statusCode(), accepted.body());
    String location = accepted.headers().firstValue("location").orElseThrow();
    model.awaitEntered();
    JsonNode running = json(http.get(location));
    assertEquals("running", running.get("state").asText());
    assertEquals(0, running.get("processed").asInt());
    assertEquals(10, running.get("total").asInt());
    assertFalse(running.has("predictions"));
    HttpResponse<String> deleted = http.delete(location);
    assertEquals(200, deleted.statusCode(), deleted.body());
    assertEquals("cancelled", json(deleted).get("state").asText());
    assertEquals(404, http.get(location).statusCode());
  }

  @Test
  void bulkJobTableIsBoundedAndFinishedJobsExpireAfterTheirTtl() throws Exception {
    start(4, 64, HttpOptions.builder().maxBulkJobs(1).bulkRowThreshold(5)
        .bulkJobTtl(Duration.ofMinutes(1)));
    model.hold();
    // More rows than the threshold: a job without asking for one.
    HttpResponse<String> first = http.post("/api/v1/batch", batch(6, false));
    assertEquals(202, first.statusCode(), first.body());
    String location = first.headers().firstValue("location").orElseThrow();
    HttpResponse<String> full = http.post("/api/v1/batch", batch(6, true));
    assertEquals(503, full.statusCode(), full.body());
    assertTrue(full.headers().firstValue("retry-after").isPresent());
    assertTrue(error(full).contains("full"), full.body());
    model.open();
    JsonNode done = JobPolling.poll(http, location);
    assertEquals("done", done.get("state").asText(), done.toString());
    assertEquals(6, done.get("predictions").size());
    assertEquals("[10.0,-10.0]", done.get("predictions").get(5).toString());
    // Still held (the table is full) until the TTL passes on the injected clock.
    assertEquals(503, http.post("/api/v1/batch", batch(6, true)).statusCode());
    ticker.advance(61, TimeUnit.SECONDS);
    assertEquals(404, http.get(location).statusCode());
    assertEquals(202, http.post("/api/v1/batch", batch(6, true)).statusCode());
  }

  @Test
  void readinessAndLivenessFollowTheServerState() throws Exception {
    start(4, 64, HttpOptions.builder());
    ServerState starting = new ServerState(router::allDefaultsLoaded);
    try (HttpGateway g = HttpGateway.builder(new InferenceService(router, ticker), starting)
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build()).build()) {
      HttpTestClient c = new HttpTestClient(g.start());
      HttpResponse<String> notReady = c.get("/readyz");
      assertEquals(503, notReady.statusCode());
      assertFalse(json(notReady).get("ready").asBoolean());
      assertEquals("gated", json(notReady).get("models").get(0).get("name").asText());
      assertEquals(503, c.get("/v2/health/ready").statusCode());
      assertEquals(200, c.get("/healthz").statusCode());
      starting.markStarted();
      assertEquals(200, c.get("/readyz").statusCode());
      starting.markShuttingDown();
      assertEquals(503, c.get("/healthz").statusCode());
      assertEquals(503, c.get("/readyz").statusCode());
      assertEquals(503, c.get("/v2/health/live").statusCode());
    }
  }

  @Test
  void closeFinishesInFlightRequestsAndStopsAccepting() throws Exception {
    start(4, 64, HttpOptions.builder());
    model.hold();
    CompletableFuture<HttpResponse<String>> inFlight =
        http.postAsync("/api/v1/predict", predict(1, 1));
    model.awaitEntered();
    int port = gateway.port();
    CompletableFuture<Void> closed = CompletableFuture.runAsync(gateway::close);
    // The listening socket goes first; the in-flight request is still waiting.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        assertTrue(System.nanoTime() < deadline, "still accepting");
        Thread.sleep(5); // polling interval only
      } catch (ConnectException refused) {
        break;
      } catch (java.net.SocketException resetWhileClosing) {
        break; // a connection caught in the closing listener's backlog is reset: not accepted
      }
    }
    assertFalse(inFlight.isDone());
    assertFalse(closed.isDone());
    model.open();
    HttpResponse<String> r = inFlight.get(30, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("[2.0,2.0]", json(r).get("output").toString());
    closed.get(30, TimeUnit.SECONDS);
    assertThrows(ConnectException.class, () -> new java.net.Socket("127.0.0.1", port).close());
  }
}
