package io.mlserve.server.http;

import static io.mlserve.server.testing.Sockets.assertClosedByServer;
import static io.mlserve.server.testing.Sockets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.ServerState;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.netty.ConnectionLimits;
import io.mlserve.server.netty.ListenerStats;
import io.mlserve.server.netty.ListenerStats.Timeout;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's connection cap and read timeouts over loopback, with a small cap and timeouts of
 * a few hundred milliseconds. Waits are bounded; nothing asserts on elapsed time.
 */
class HttpConnectionLimitsTest {
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final Duration LONG = Duration.ofSeconds(60);
  private static final byte[] HEALTHZ =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final List<AutoCloseable> open = new ArrayList<>();
  private HttpGateway gateway;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  private int start(ConnectionLimits limits) throws Exception {
    return start(limits, new ModelRouter());
  }

  private int start(ConnectionLimits limits, ModelRouter router) throws Exception {
    ServerState state = new ServerState(router::allDefaultsLoaded);
    state.markStarted();
    gateway = HttpGateway.builder(new InferenceService(router, Ticker.system()), state)
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).connectionLimits(limits)
            .shutdownGrace(Duration.ZERO).build())
        .build();
    return gateway.start();
  }

  private Socket connect(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(20_000);
    open.add(s);
    return s;
  }

  private static void assertAnswers(Socket s) throws IOException {
    s.getOutputStream().write(HEALTHZ);
    s.getOutputStream().flush();
    GatewayIntegrationBase.RawResponse r =
        GatewayIntegrationBase.readResponse(new BufferedInputStream(s.getInputStream()));
    assertEquals(200, r.status(), r.body());
  }

  @Test
  void aConnectionBeyondTheCapIsClosedAtOnceWhileTheOthersKeepWorking() throws Exception {
    int port = start(ConnectionLimits.defaults().withMaxConnections(2));
    ListenerStats stats = gateway.stats();
    Socket a = connect(port);
    Socket b = connect(port);
    assertAnswers(a);
    assertAnswers(b);
    Socket c = connect(port);
    assertClosedByServer(c);
    assertEquals(1, stats.refused());
    assertAnswers(a);
    assertAnswers(b);
    // A slot freed is a slot for the next client.
    a.close();
    await(() -> stats.open() == 1, "the closed connection's slot");
    assertAnswers(connect(port));
    assertEquals(2, stats.open());
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    int port = start(ConnectionLimits.defaults().withTimeouts(SHORT, LONG, LONG));
    Socket silent = connect(port);
    assertClosedByServer(silent);
    Socket used = connect(port);
    assertAnswers(used);
    assertClosedByServer(used);
    assertEquals(2, gateway.stats().timedOut(Timeout.IDLE));
    await(() -> gateway.stats().open() == 0, "the slots of closed connections");
  }

  @Test
  void aSlowlorisSendingAHeaderByteAtATimeIsCutAfterTheHeaderTimeout() throws Exception {
    int port = start(ConnectionLimits.defaults().withTimeouts(LONG, SHORT, LONG));
    Socket s = connect(port);
    CompletableFuture<Void> dripping = drip(s, "GET /healthz HTTP/1.1\r\nHost: x\r\n"
        + "X-Padding: " + "a".repeat(400) + "\r\n\r\n");
    assertClosedByServer(s);
    dripping.cancel(true);
    assertEquals(1, gateway.stats().timedOut(Timeout.HEADER));
  }

  @Test
  void aSlowBodyIsCutAfterTheBodyTimeout() throws Exception {
    int port = start(ConnectionLimits.defaults().withTimeouts(LONG, LONG, SHORT));
    Socket s = connect(port);
    OutputStream out = s.getOutputStream();
    out.write(("POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 400\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    CompletableFuture<Void> dripping = drip(s, "{\"model\":\"m\",\"input\":[" + "1,".repeat(190));
    assertClosedByServer(s);
    dripping.cancel(true);
    assertEquals(1, gateway.stats().timedOut(Timeout.BODY));
  }

  @Test
  void aClientThatKeepsUpIsNotCut() throws Exception {
    int port = start(ConnectionLimits.defaults().withTimeouts(SHORT, LONG, LONG));
    Socket s = connect(port);
    for (int i = 0; i < 5; i++) {
      assertAnswers(s); // each answer restarts the idle timer; headers come in one write
    }
    assertEquals(0, gateway.stats().timedOut(Timeout.HEADER));
  }

  @Test
  void aRequestInFlightKeepsItsConnectionFromIdling(@TempDir Path dir) throws Exception {
    GatedModel model = new GatedModel(dir, 1, 4);
    open.add(model::open);
    open.add(model.served::close);
    ModelRouter router = new ModelRouter();
    router.put(model.served, true);
    int port = start(ConnectionLimits.defaults().withTimeouts(SHORT, LONG, LONG), router);
    model.hold();
    Socket busy = connect(port);
    busy.getOutputStream().write(GatewayIntegrationBase.rawPost(
        "{\"model\":\"gated\",\"input\":[1,2]}", "/api/v1/predict"));
    busy.getOutputStream().flush();
    model.awaitEntered();
    // A connection opened now idles out; one whose idle timer ran since the request would too.
    Socket idle = connect(port);
    assertClosedByServer(idle);
    model.open();
    GatewayIntegrationBase.RawResponse r =
        GatewayIntegrationBase.readResponse(new BufferedInputStream(busy.getInputStream()));
    assertEquals(200, r.status(), r.body());
    assertEquals(1, gateway.stats().timedOut(Timeout.IDLE));
  }

  /** Sends {@code text} a byte every 20 ms from another thread, until done or the socket fails. */
  private static CompletableFuture<Void> drip(Socket s, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    return CompletableFuture.runAsync(() -> {
      try {
        OutputStream out = s.getOutputStream();
        for (byte b : bytes) {
          out.write(b);
          out.flush();
          Thread.sleep(20); // the slow client's pace, not a wait for the server
        }
      } catch (IOException | InterruptedException closed) {
        // the server cut us off, or the test is done
      }
    });
  }
}
