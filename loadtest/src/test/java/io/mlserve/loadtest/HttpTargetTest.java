package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST target's Netty client: keep-alive reuse, lost connections, the version scan. */
class HttpTargetTest {
  @TempDir Path dir;

  private final CapturedCli cli = new CapturedCli();
  private final StringWriter out = cli.out;
  private final StringWriter err = cli.err;

  private int execute(String... args) {
    return cli.execute(args);
  }

  private static Map<String, String> fields(Path json) throws Exception {
    return CapturedCli.fields(json);
  }

  @Test
  void versionScanFindsTheFirstVersion() {
    byte[] body = "{\"model\":\"m\",\"version\" : \"1.2.3\",\"output\":[1],\"version\":\"x\"}"
        .getBytes(StandardCharsets.UTF_8);
    assertEquals("1.2.3", RestMessages.version(body));
    assertNull(RestMessages.version("{\"output\":[1]}".getBytes(StandardCharsets.UTF_8)));
    assertNull(RestMessages.version("{\"version\":\"1.2".getBytes(StandardCharsets.UTF_8)));
    assertEquals(-1, RestMessages.versionSpan(body, 20)); // cut off before the value ends
  }

  @Test
  void requestsReuseAFewKeepAliveConnections() throws Exception {
    com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
        new InetSocketAddress("127.0.0.1", 0), 0);
    Set<InetSocketAddress> peers = ConcurrentHashMap.newKeySet();
    AtomicLong handled = new AtomicLong();
    http.createContext("/api/v1/predict", ex -> {
      ex.getRequestBody().readAllBytes();
      peers.add(ex.getRemoteAddress());
      handled.incrementAndGet();
      byte[] body = "{\"version\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    http.start();
    String target = "http://127.0.0.1:" + http.getAddress().getPort();
    Path open = dir.resolve("open.json");
    Path closed = dir.resolve("closed.json");
    try {
      int code = execute("run", "--target", target, "--rate", "200", "--duration", "1s",
          "--max-lag", "1s", "--warmup", "0s", "--connections", "3", "--quiet", "--slo", "none",
          "--json",
          open.toString());
      assertEquals(0, code, out + "\n" + err);
      assertEquals(201, handled.get()); // the probe and the window's 200
      assertTrue(peers.size() <= 3, "connections: " + peers);

      peers.clear();
      handled.set(0);
      code = execute("run", "--target", target, "--concurrency", "4", "--duration", "500ms",
          "--warmup", "0s", "--quiet", "--slo", "none", "--json", closed.toString());
      assertEquals(0, code, out + "\n" + err);
      assertTrue(peers.size() <= 4, "connections: " + peers);
      assertTrue(handled.get() > 4, "requests: " + handled.get());
    } finally {
      http.stop(0);
    }
    Map<String, String> f = fields(open);
    assertEquals("200", f.get("requests"));
    assertEquals("{}", f.get("errors"));
    assertEquals("{\"1.0.0\": 200}", f.get("versions"));
    assertEquals("{}", fields(closed).get("errors"));
    assertTrue(out.toString().contains("over 3 connection(s)"), out.toString());
  }

  @Test
  void connectionsClosedByTheServerAreCountedAndReopened() throws Exception {
    try (ClosingServer server = new ClosingServer()) {
      String target = "http://127.0.0.1:" + server.port();
      Path closed = dir.resolve("closed.json");
      int code = execute("run", "--target", target, "--concurrency", "2", "--duration", "1s",
          "--warmup", "0s", "--quiet", "--json", closed.toString());
      assertEquals(Slo.EXIT_MISSED, code, out + "\n" + err);
      Map<String, String> f = fields(closed);
      long ok = Long.parseLong(f.get("ok"));
      long failed = Long.parseLong(f.get("failed"));
      assertTrue(ok > 0 && failed > 0, f.toString());
      Matcher m = Pattern.compile("\\{\"CONNECTION_ERROR\": (\\d+)\\}").matcher(f.get("errors"));
      assertTrue(m.matches(), f.get("errors"));
      assertEquals(failed, Long.parseLong(m.group(1)));
      assertTrue(server.answeredAfterDrop.get() > 0, "no answer after the first drop");
      assertTrue(server.accepted.get() > 2, "reconnects: " + server.accepted.get());

      // Open loop with fewer connections than requests in flight: waiting requests survive drops.
      server.requests.set(0); // the probe is request 1 again, which is answered
      Path open = dir.resolve("open.json");
      code = execute("run", "--target", target, "--rate", "200", "--duration", "1s",
          "--max-lag", "1s", "--warmup", "0s", "--connections", "2", "--quiet", "--json",
          open.toString());
      assertEquals(Slo.EXIT_MISSED, code, out + "\n" + err);
      f = fields(open);
      assertEquals("200", f.get("requests"), f.toString());
      assertTrue(Long.parseLong(f.get("ok")) > 0, f.toString());
      assertTrue(f.get("errors").matches("\\{\"CONNECTION_ERROR\": [1-9]\\d*\\}"),
          f.get("errors"));
    }
  }

  @Test
  void parsesChunkedInterimNoContentAndReadToCloseAnswers() throws Exception {
    // By request number (the probe is 1): chunked with the version split over chunks; odd header
    // case; 100 Continue before the answer; HTTP/1.0 with the body up to the close; 204.
    ClosingServer.Answer answer = (n, o) -> {
      String a;
      boolean keep = true;
      switch ((int) (n % 5)) {
        case 1 -> a = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "6;ext=1\r\n{\"vers\r\n" + "F\r\nion\":\"4.0.0\",\"o\r\n"
            + "8\r\nut\":[1]}\r\n0\r\nX-Trailer: t\r\n\r\n";
        case 2 -> a = "HTTP/1.1 200 OK\r\ncONTENT-lENGTH:  19 \r\nX-Other: 1\r\n\r\n"
            + "{\"version\":\"4.0.0\"}";
        case 3 -> a = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 19\r\n"
            + "\r\n{\"version\":\"4.0.0\"}";
        case 4 -> {
          a = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"version\":\"4.0.0\"}";
          keep = false;
        }
        default -> a = "HTTP/1.1 204 No Content\r\n\r\n";
      }
      byte[] bytes = a.getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < bytes.length; i += 7) { // in pieces, to split lines and chunks
        o.write(bytes, i, Math.min(7, bytes.length - i));
        o.flush();
      }
      return keep;
    };
    try (ClosingServer server = new ClosingServer(answer)) {
      Path json = dir.resolve("parse.json");
      int code = execute("run", "--target", "http://127.0.0.1:" + server.port(), "--rate", "100",
          "--max-lag", "1s", "--duration", "1s", "--warmup", "0s", "--connections", "2", "--quiet",
          "--slo", "none",
          "--json", json.toString());
      assertEquals(0, code, out + "\n" + err);
      Map<String, String> f = fields(json);
      assertEquals("100", f.get("requests"), f.toString());
      assertEquals("{}", f.get("errors"), f.toString());
      assertEquals("{\"4.0.0\": 80}", f.get("versions"), f.toString()); // 20 were 204s
    }
  }

  @Test
  void closedPortIsUnreachable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    int code = execute("run", "--target", "http://127.0.0.1:" + port, "--concurrency", "2",
        "--duration", "300ms", "--warmup", "0s", "--quiet");
    assertEquals(Slo.EXIT_UNREACHABLE, code, out + "\n" + err);
    assertTrue(out.toString().contains("CONNECTION_ERROR"), out.toString());
  }

  /**
   * HTTP/1.1 on blocking sockets. Of the requests, in arrival order from 1: every 7th is dropped
   * (the connection closes unanswered), every 5th is answered with {@code Connection: close} and
   * its connection closed; the rest are answered and the connection kept.
   */
  private static final class ClosingServer implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    final AtomicLong requests = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong answeredAfterDrop = new AtomicLong();
    volatile boolean dropped;
    final Set<Socket> open = ConcurrentHashMap.newKeySet();
    final Answer answer;

    /** Answers request {@code n} on {@code out}; false: close the connection after it. */
    interface Answer {
      boolean answer(long n, OutputStream out) throws IOException;
    }

    ClosingServer() throws IOException {
      this(null);
    }

    ClosingServer(Answer answer) throws IOException {
      this.answer = answer;
      Thread t = new Thread(this::accept, "closing-server");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          accepted.incrementAndGet();
          open.add(s);
          Thread t = new Thread(() -> serve(s), "closing-server-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream o = s.getOutputStream();
        while (true) {
          int length = readHead(in);
          if (length < 0) {
            return;
          }
          in.readNBytes(length);
          long n = requests.incrementAndGet();
          if (answer != null) {
            if (!answer.answer(n, o)) {
              return;
            }
            continue;
          }
          if (n % 7 == 0) {
            dropped = true;
            return;
          }
          boolean close = n % 5 == 0;
          byte[] body = "{\"version\":\"3.1.0\"}".getBytes(StandardCharsets.UTF_8);
          o.write(String.format(Locale.ROOT, "HTTP/1.1 200 OK\r\nContent-Type: application/json"
              + "\r\nContent-Length: %d\r\n%s\r\n", body.length,
              close ? "Connection: close\r\n" : "").getBytes(StandardCharsets.US_ASCII));
          o.write(body);
          o.flush();
          if (dropped) {
            answeredAfterDrop.incrementAndGet();
          }
          if (close) {
            return;
          }
        }
      } catch (IOException e) {
        // the client went away
      } finally {
        open.remove(s);
      }
    }

    /** Reads a request's head; its Content-Length, or -1 at the end of the stream. */
    private static int readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          return -1;
        }
        head.write(b);
        matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1
            : b == '\r' ? 1 : 0;
      }
      Matcher m = Pattern.compile("(?im)^content-length:\\s*(\\d+)")
          .matcher(head.toString(StandardCharsets.US_ASCII));
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
