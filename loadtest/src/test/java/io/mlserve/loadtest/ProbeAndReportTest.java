package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.admin.v1.GetModelRequest;
import io.mlserve.proto.admin.v1.ListVersionsResponse;
import io.mlserve.proto.admin.v1.ModelRegistryGrpc;
import io.mlserve.proto.admin.v1.ModelVersion;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferResponse;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the commands say and which exit code they give when the server refuses the load: a
 * missing model or version (404 / NOT_FOUND) against other refusals, and the reports a sweep
 * writes whatever its outcome. Real servers on loopback, free ports.
 */
class ProbeAndReportTest {
  @TempDir Path dir;

  private final CapturedCli cli = new CapturedCli();
  private final StringWriter out = cli.out;
  private final StringWriter err = cli.err;

  private int execute(String... args) {
    return cli.execute(args);
  }

  /** REST: model {@code b} is not served (404 with a JSON error), {@code x} is refused (400). */
  private static HttpServer restServer() throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        16);
    http.createContext("/api/v1/predict", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int status = 200;
      String answer = "{\"model\":\"a\",\"version\":\"1.0.0\",\"output\":[1]}";
      if (body.contains("\"model\":\"b\"")) {
        status = 404;
        answer = "{\"error\":\"model 'b' is not served (served: [a])\"}";
      } else if (body.contains("\"model\":\"x\"")) {
        status = 400;
        answer = "{\"error\":\"input 'curve' needs 8 values, got 24\"}";
      }
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(bytes);
      }
    });
    http.start();
    return http;
  }

  /** gRPC: model {@code b} is NOT_FOUND; the admin API knows only curve_forecaster 1.0.0. */
  private static Server grpcServer() throws Exception {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
        .addService(new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {
          @Override
          public void modelInfer(ModelInferRequest request,
              StreamObserver<ModelInferResponse> observer) {
            if (request.getModelName().equals("b")) {
              observer.onError(Status.NOT_FOUND
                  .withDescription("model 'b' is not served (served: [a])").asException());
              return;
            }
            observer.onNext(ModelInferResponse.newBuilder()
                .setModelName(request.getModelName()).setModelVersion("1.0.0").build());
            observer.onCompleted();
          }
        })
        .addService(new ModelRegistryGrpc.ModelRegistryImplBase() {
          @Override
          public void listVersions(GetModelRequest request,
              StreamObserver<ListVersionsResponse> observer) {
            if (!request.getModel().equals("curve_forecaster")) {
              observer.onError(Status.NOT_FOUND.withDescription("no model '"
                  + request.getModel() + "'").asException());
              return;
            }
            observer.onNext(ListVersionsResponse.newBuilder().addVersions(ModelVersion
                .newBuilder().setModel("curve_forecaster").setVersion("1.0.0")
                .setStage("Production")).build());
            observer.onCompleted();
          }
        })
        .build().start();
  }

  private static void stop(Server s) throws InterruptedException {
    s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void restModelNotFoundExitsFiveNamingTheModelWithTheServersAnswer() throws Exception {
    HttpServer http = restServer();
    try {
      int code = execute("run", "--target", "http://127.0.0.1:" + http.getAddress().getPort(),
          "--concurrency", "2", "--model", "a=3,b=1", "--duration", "300ms", "--warmup", "0s",
          "--quiet");
      assertEquals(Slo.EXIT_NOT_FOUND, code, out + "\n" + err);
    } finally {
      http.stop(0);
    }
    String o = out.toString();
    assertTrue(o.contains("model 'b' not found"), o);
    assertTrue(o.contains("HTTP 404: {\"error\":\"model 'b' is not served (served: [a])\"}"), o);
    assertTrue(!o.contains("unreachable"), o);
  }

  @Test
  void restRefusalOtherThanNotFoundExitsSixWithTheServersAnswer() throws Exception {
    HttpServer http = restServer();
    try {
      int code = execute("run", "--target", "http://127.0.0.1:" + http.getAddress().getPort(),
          "--concurrency", "1", "--model", "x", "--duration", "300ms", "--warmup", "0s",
          "--quiet");
      assertEquals(Slo.EXIT_REFUSED, code, out + "\n" + err);
    } finally {
      http.stop(0);
    }
    assertTrue(out.toString().contains("HTTP 400: {\"error\":\"input 'curve' needs 8 values,"
        + " got 24\"}"), out.toString());
  }

  @Test
  void grpcNotFoundInTheMixExitsFiveNamingTheModel() throws Exception {
    Server grpc = grpcServer();
    try {
      int code = execute("run", "--target", "127.0.0.1:" + grpc.getPort(), "--concurrency", "2",
          "--model", "a=3,b=1", "--duration", "300ms", "--warmup", "0s", "--quiet");
      assertEquals(Slo.EXIT_NOT_FOUND, code, out + "\n" + err);
    } finally {
      stop(grpc);
    }
    assertTrue(out.toString().contains("model 'b' not found on grpc://127.0.0.1:"),
        out.toString());
    assertTrue(out.toString().contains("NOT_FOUND: model 'b' is not served (served: [a])"),
        out.toString());
  }

  @Test
  void reloadOfAMissingVersionExitsFiveBeforeAnyLoad() throws Exception {
    Server grpc = grpcServer();
    try {
      int code = execute("reload", "--target", "127.0.0.1:" + grpc.getPort(),
          "--promote-version", "1.1.0", "--cycles", "1", "--interval", "100ms", "--quiet");
      assertEquals(Slo.EXIT_NOT_FOUND, code, out + "\n" + err);
    } finally {
      stop(grpc);
    }
    assertTrue(out.toString().contains("model 'curve_forecaster' has no version '1.1.0' to"
        + " promote; it has 1.0.0 (Production)"), out.toString());
  }

  @Test
  void reloadVerdictPutsANotFoundAdminCallFirstAndDoesNotFailOnGeneratorLag() {
    RunSetup setup = new RunSetup("grpc://127.0.0.1:1", "grpc <load>", "m", true, 100, 0, 1, 24,
        false, java.time.Duration.ZERO, java.time.Duration.ofSeconds(3));
    GeneratorReport behind = new GeneratorReport(100, 300, 9, 32_000, 13_000, 0, 10_000, 10_000);
    org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
    h.recordValue(1_000);
    RunResult r = new RunResult(setup, 3_000_000_000L, 300, java.util.Map.of(), h, h,
        java.util.Map.of("1.0.0", 300L), java.util.List.of(), java.util.List.of(), behind, 0,
        null);
    assertTrue(r.generatorBehind());
    Slo.Verdict v = ReloadCommand.verdict(r, 2,
        "promote 1.1.0 (cycle 1): NOT_FOUND model 'curve_forecaster' has no version '1.1.0'");
    assertEquals(Slo.EXIT_NOT_FOUND, v.exitCode());
    assertTrue(v.reason().contains("has no version '1.1.0'"), v.reason());
    Slo.Verdict failed = ReloadCommand.verdict(r, 1, null);
    assertEquals(Slo.EXIT_MISSED, failed.exitCode());
    assertTrue(failed.reason().startsWith("1 admin call(s) failed"), failed.reason());
    Slo.Verdict clean = ReloadCommand.verdict(r, 0, null);
    assertEquals(Slo.EXIT_MET, clean.exitCode(), "a lagging generator failed no request");
  }

  @Test
  void sweepWhoseFirstStepFailsStillWritesItsReports() throws Exception {
    Server grpc = grpcServer();
    Path outDir = dir.resolve("sweep-failed");
    try {
      int code = execute("sweep", "--target", "127.0.0.1:" + grpc.getPort(), "--model", "b",
          "--step-duration", "200ms", "--step-warmup", "0s", "--out", outDir.toString(),
          "--quiet");
      assertEquals(Slo.EXIT_NOT_FOUND, code, out + "\n" + err);
    } finally {
      stop(grpc);
    }
    String html = Files.readString(outDir.resolve("report.html"));
    assertTrue(html.contains("No sustainable rate"), html);
    assertTrue(html.contains("model &#39;b&#39; not found") || html.contains("model 'b' not found"),
        html);
    assertTrue(Files.exists(outDir.resolve("sweep.md")));
    assertTrue(Files.exists(outDir.resolve("result.json")));
  }

  @Test
  void sweepReportHasTheRateVsP99TableAndAnInlineSvgPlot() throws Exception {
    EchoServer echo = EchoServer.netty(new InetSocketAddress("127.0.0.1", 0)).start();
    Path outDir = dir.resolve("sweep");
    try {
      execute("sweep", "--target", "127.0.0.1:" + echo.port(), "--start-rate", "20",
          "--factor", "2", "--max-steps", "2", "--refine", "0", "--step-duration", "300ms",
          "--step-warmup", "0s", "--p99", "5s", "--max-lag", "5s", "--out", outDir.toString(),
          "--quiet");
    } finally {
      echo.stop();
    }
    String html = Files.readString(outDir.resolve("report.html"));
    assertTrue(html.contains("<th>offered req/s</th><th>achieved req/s</th>"), html);
    assertTrue(html.contains("<td>20</td>") && html.contains("<td>held</td>"), html);
    assertTrue(html.contains("<h2>Rate vs p99</h2>"), html);
    int svg = html.indexOf("<svg");
    assertTrue(svg > 0 && html.indexOf("<circle", svg) > 0, html);
    assertTrue(html.contains("stroke-dasharray"), "the p99 target line: " + html);
    assertTrue(!html.contains("http://") || html.contains("xmlns=\"http://www.w3.org/2000/svg\""),
        "nothing fetched");
    assertTrue(!html.contains("<script src") && !html.contains("<link"), html);
  }

  @Test
  void helpListsEveryExitCode() {
    for (String command : new String[] {"run", "sweep", "reload"}) {
      out.getBuffer().setLength(0);
      assertEquals(0, execute(command, "--help"));
      String help = out.toString();
      for (String code : new String[] {"0", "1", "2", "3", "4", "5", "6"}) {
        // every code is listed (reload's 4 says it is not used)
        assertTrue(help.matches("(?s).*Exit codes:.*\\n\\s+" + code + "\\s+.*"),
            command + " --help lacks exit code " + code + ":\n" + help);
      }
      assertTrue(help.contains("not found (HTTP 404 / NOT_FOUND)"), help);
    }
  }
}
