package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.MAPPER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 pipelining and half-closed connections: every request read is answered, in order,
 * however many a client sends before reading.
 */
class HttpGatewayPipeliningTest extends GatewayIntegrationBase {
  @Test
  void fiveHundredPipelinedPredictsFromAHalfClosingClientAreAllAnsweredInOrder() throws Exception {
    int n = 500;
    ByteArrayOutputStream burst = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      burst.write(rawPost(predictBody(inputRow(i))));
    }
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      // Written from another thread: a client that writes everything before reading could
      // otherwise fill both directions' buffers once the server pauses reading.
      CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
        try {
          out.write(burst.toByteArray());
          out.flush();
          s.shutdownOutput(); // as `nc` or a script does once it has sent everything
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      InputStream in = new BufferedInputStream(s.getInputStream());
      for (int i = 0; i < n; i++) {
        RawResponse r = readResponse(in);
        assertEquals(200, r.status(), "response " + i + ": " + r.body());
        assertRow(MAPPER.readTree(r.body()).get("output"), i);
      }
      written.get(60, TimeUnit.SECONDS);
      assertEquals(-1, in.read(), "the server closes once everything is answered");
    }
  }

  @Test
  void moreSmallRequestsInOneReadThanNettysPipelineDepthAreAllAnsweredInOrder() throws Exception {
    // 1,000 short requests fit in one socket read: all are decoded before reading pauses.
    int n = 1000;
    ByteArrayOutputStream burst = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      burst.write(("GET /" + (i % 2 == 0 ? "healthz" : "nothing") + " HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      InputStream in = new BufferedInputStream(s.getInputStream());
      // A large body first, so that the server's reads grow to their largest size.
      out.write(rawPost("{\"pad\":\"" + "x".repeat(1 << 20) + "\"}", "/nothing"));
      out.flush();
      assertEquals(404, readResponse(in).status());
      CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
        try {
          out.write(burst.toByteArray());
          out.flush();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      for (int i = 0; i < n; i++) {
        RawResponse r = readResponse(in);
        assertEquals(i % 2 == 0 ? 200 : 404, r.status(), "response " + i + ": " + r.body());
      }
      written.get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void halfClosedClientGetsItsAnswer() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write(rawPost(predictBody(inputRow(3))));
      out.flush();
      s.shutdownOutput();
      InputStream in = new BufferedInputStream(s.getInputStream());
      RawResponse r = readResponse(in);
      assertEquals(200, r.status(), r.body());
      assertRow(MAPPER.readTree(r.body()).get("output"), 3);
      assertEquals(-1, in.read(), "the server closes once everything is answered");
    }
  }
}
