package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferResponse;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code loadtest run} end to end against real servers on loopback, free ports. */
class LoadTestRunTest {
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
  void closedLoopAgainstEcho() throws Exception {
    EchoServer echo = EchoServer.netty(new InetSocketAddress("127.0.0.1", 0)).start();
    Path json = dir.resolve("out/echo.json");
    int port = echo.port();
    try {
      int code = execute("run", "--target", "127.0.0.1:" + port, "--concurrency", "4",
          "--channels", "2", "--duration", "1s", "--warmup", "200ms", "--json", json.toString());
      assertEquals(0, code, out + "\n" + err);
    } finally {
      echo.stop();
    }
    Map<String, String> f = fields(json);
    for (String name : new String[] {"target", "concurrency", "channels", "duration_s",
        "requests", "throughput_rps", "p50_us", "p90_us", "p99_us", "p999_us", "max_us",
        "errors"}) {
      assertTrue(f.containsKey(name), name + " missing: " + f);
    }
    assertEquals("\"127.0.0.1:" + port + "\"", f.get("target"));
    assertEquals("4", f.get("concurrency"));
    assertEquals("2", f.get("channels"));
    assertEquals("{}", f.get("errors"));
    long requests = Long.parseLong(f.get("requests"));
    assertTrue(requests > 0, "requests " + requests);
    assertEquals(requests, Long.parseLong(f.get("ok")));
    long p50 = Long.parseLong(f.get("p50_us"));
    long p90 = Long.parseLong(f.get("p90_us"));
    long p99 = Long.parseLong(f.get("p99_us"));
    long p999 = Long.parseLong(f.get("p999_us"));
    long max = Long.parseLong(f.get("max_us"));
    assertTrue(p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max,
        p50 + " " + p90 + " " + p99 + " " + p999 + " " + max);
    assertTrue(out.toString().contains("errors      none"), out.toString());
  }

  @Test
  void rawContentsAgainstEcho() throws Exception {
    EchoServer echo = EchoServer.netty(new InetSocketAddress("127.0.0.1", 0)).start();
    try {
      int code = execute("run", "--target", "127.0.0.1:" + echo.port(), "--concurrency", "2",
          "--duration", "300ms", "--warmup", "0s", "--raw", "--features", "8", "--quiet");
      assertEquals(0, code, out + "\n" + err);
    } finally {
      echo.stop();
    }
    assertTrue(out.toString().contains("raw_input_contents"), out.toString());
  }

  @Test
  void closedPortCountsUnavailableAndFails() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path json = dir.resolve("closed.json");
    int code = execute("run", "--target", "127.0.0.1:" + port, "--concurrency", "2",
        "--duration", "1s", "--warmup", "0s", "--json", json.toString());
    assertNotEquals(0, code);
    assertEquals(Slo.EXIT_UNREACHABLE, code);
    Map<String, String> f = fields(json);
    assertTrue(f.get("errors").matches("\\{\"UNAVAILABLE\": [1-9]\\d*\\}"), f.get("errors"));
    assertEquals("0", f.get("ok"));
    assertTrue(f.get("aborted").startsWith("\"target unreachable"), f.get("aborted"));
    assertTrue(out.toString().contains("UNAVAILABLE="), out.toString());
  }

  @Test
  void failuresMidRunAreCountedByCode() throws Exception {
    // Succeeds on odd calls (the probe is call 1); even ones fail, alternating two codes, one of
    // which (UNAVAILABLE) takes the driver's back-off path: half the run fails.
    AtomicLong calls = new AtomicLong();
    EchoService echo = new EchoService();
    io.grpc.Server flaky = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .directExecutor()
        .addService(new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {
          @Override
          public void modelInfer(ModelInferRequest request,
              StreamObserver<ModelInferResponse> observer) {
            long n = calls.incrementAndGet();
            if (n % 4 == 2) {
              observer.onError(Status.RESOURCE_EXHAUSTED.asRuntimeException());
            } else if (n % 4 == 0) {
              observer.onError(Status.UNAVAILABLE.asRuntimeException());
            } else {
              echo.modelInfer(request, observer);
            }
          }
        })
        .build()
        .start();
    Path json = dir.resolve("flaky.json");
    try {
      int code = execute("run", "--target", "127.0.0.1:" + flaky.getPort(), "--concurrency", "2",
          "--duration", "1s", "--warmup", "0s", "--json", json.toString(), "--quiet");
      assertEquals(Slo.EXIT_MISSED, code, out + "\n" + err);
    } finally {
      flaky.shutdownNow().awaitTermination();
    }
    Map<String, String> f = fields(json);
    long ok = Long.parseLong(f.get("ok"));
    long failed = Long.parseLong(f.get("failed"));
    assertTrue(ok > 0 && failed > 0, f.toString());
    assertEquals(ok + failed, Long.parseLong(f.get("requests")));
    Matcher m = Pattern.compile("\\{\"RESOURCE_EXHAUSTED\": (\\d+), \"UNAVAILABLE\": (\\d+)\\}")
        .matcher(f.get("errors"));
    assertTrue(m.matches(), f.get("errors"));
    assertEquals(failed, Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)));
  }

  @Test
  void openLoopAgainstEchoWritesEveryReport() throws Exception {
    EchoServer echo = EchoServer.netty(new InetSocketAddress("127.0.0.1", 0)).start();
    Path outDir = dir.resolve("open");
    try {
      int code = execute("run", "--target", "grpc://127.0.0.1:" + echo.port(), "--rate", "200",
          // Loose limits: this test is about the reports, and a loaded host may be slow.
          "--max-lag", "1s", "--slo", "p95=5s@150rps", "--duration", "1500ms", "--warmup",
          "300ms", "--out", outDir.toString());
      assertEquals(0, code, out + "\n" + err);
    } finally {
      echo.stop();
    }
    Map<String, String> f = fields(outDir.resolve("result.json"));
    assertEquals("\"open_loop\"", f.get("mode"));
    assertEquals(300, Long.parseLong(f.get("requests")), 2);
    assertEquals("false", f.get("generator_behind"));
    assertTrue(out.toString().contains("verdict     met (p95="), out.toString());
    assertTrue(err.toString().contains("req/s  in flight"), err.toString());
    String html = Files.readString(outDir.resolve("report.html"));
    assertTrue(html.contains("<svg"), html);
    org.HdrHistogram.HistogramLogReader reader = new org.HdrHistogram.HistogramLogReader(
        outDir.resolve("latency.hlog").toFile());
    long logged = 0;
    org.HdrHistogram.EncodableHistogram h;
    while ((h = reader.nextIntervalHistogram()) != null) {
      logged += ((org.HdrHistogram.Histogram) h).getTotalCount();
    }
    assertTrue(logged > 250 && logged <= 300, "hlog holds the window's requests: " + logged);
  }

  @Test
  void restPredictOpenLoopCountsVersionsAndStatusCodes() throws Exception {
    com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
        new InetSocketAddress("127.0.0.1", 0), 0);
    AtomicLong n = new AtomicLong();
    http.createContext("/api/v1/predict", ex -> {
      byte[] in = ex.getRequestBody().readAllBytes();
      boolean full = n.incrementAndGet() % 10 == 0;
      byte[] body = (full ? "{\"error\":\"queue full\"}"
          : "{\"model\":\"curve_forecaster\",\"version\":\"2.0.0\",\"output\":["
              + in.length + "]}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ex.sendResponseHeaders(full ? 503 : 200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    http.start();
    Path json = dir.resolve("rest.json");
    try {
      int code = execute("run", "--target", "http://127.0.0.1:" + http.getAddress().getPort(),
          "--rate", "100", "--max-lag", "1s", "--duration", "1s", "--warmup", "0s", "--quiet",
          "--json",
          json.toString());
      assertEquals(Slo.EXIT_MISSED, code, out + "\n" + err);
    } finally {
      http.stop(0);
    }
    Map<String, String> f = fields(json);
    assertEquals(100, Long.parseLong(f.get("requests")));
    assertTrue(f.get("errors").matches("\\{\"HTTP 503\": (9|10|11)\\}"), f.get("errors"));
    assertTrue(f.get("versions").matches("\\{\"2.0.0\": (89|90|91)\\}"), f.get("versions"));
    assertTrue(out.toString().contains("requests failed"), out.toString());
  }

  @Test
  void badFlagsAreUsageErrors() {
    assertEquals(2, execute("run", "--target", "127.0.0.1:1", "--concurrency", "2",
        "--channels", "3"));
    assertTrue(err.toString().contains("channels must be between 1 and concurrency"),
        err.toString());
  }
}
