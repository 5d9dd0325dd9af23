package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ServerReadyRequest;
import io.mlserve.server.testing.DemoModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: starts {@code bin/mlserve demo} as a separate process, exactly as the README
 * does, calls it over loopback, then stops it with SIGTERM and expects a graceful exit.
 */
class DemoLauncherIT {
  @TempDir Path tmp;

  /** REST answers the same model, and a live /metrics scrape passes Prometheus' own lint. */
  private void checkRestAndMetrics(int httpPort) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var predict = http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + httpPort + "/api/v1/predict"))
        .header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"curve_forecaster\",\"input\":"
                + DemoModel.examples().get("inputs").get(0) + "}"))
        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, predict.statusCode(), predict.body());
    JsonNode out = new com.fasterxml.jackson.databind.ObjectMapper().readTree(predict.body());
    assertEquals("1.0.0", out.get("version").asText());
    assertEquals(DemoModel.row(DemoModel.examples().get("outputs"), 0)[3],
        out.get("output").get(3).floatValue(), 1e-5);
    var metrics = http.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("mlserve_requests_total{model=\"curve_forecaster\""),
        metrics.body());
    Path promtool = Path.of("/usr/bin/promtool");
    if (!java.nio.file.Files.isExecutable(promtool)) {
      assertTrue(System.getenv("CI") == null, "CI must have promtool (.ci/run installs it)");
      org.junit.jupiter.api.Assumptions.assumeTrue(false, "promtool not installed");
    }
    Process lint = new ProcessBuilder(promtool.toString(), "check", "metrics")
        .redirectErrorStream(true).start();
    try (var in = lint.getOutputStream()) {
      in.write(metrics.body().getBytes(StandardCharsets.UTF_8));
    }
    String lintOut = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(lint.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, lint.exitValue(), "promtool check metrics: " + lintOut);
  }

  @Test
  void demoServesTheForecasterOverLoopbackAndStopsGracefully() throws Exception {
    Path root = DemoModel.repoRoot();
    Path store = tmp.resolve("store");
    Process p = new ProcessBuilder(root.resolve("bin/mlserve").toString(), "demo",
        "--grpc-port", "0", "--http-port", "0", "--store", store.toString(), "--bind", "127.0.0.1")
        .directory(root.toFile())
        .redirectErrorStream(true)
        .start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    List<String> all = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (Exception ignored) {
        // process ended
      }
    });
    reader.start();
    try {
      int port = -1;
      int httpPort = -1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (port < 0 && System.nanoTime() < deadline) {
        String line = lines.poll(1, TimeUnit.SECONDS);
        if (line == null) {
          assertTrue(p.isAlive(), () -> "server exited early: " + all);
          continue;
        }
        all.add(line);
        java.util.regex.Matcher ready = java.util.regex.Pattern
            .compile("^mlserve: ready grpc_port=(\\d+) http_port=(\\d+)$").matcher(line);
        if (ready.matches()) {
          port = Integer.parseInt(ready.group(1));
          httpPort = Integer.parseInt(ready.group(2));
        }
      }
      assertTrue(port > 0, () -> "no ready line within 120 s: " + all);
      assertTrue(all.stream().anyMatch(l -> l.contains("bin/mlserve infer")),
          () -> "no example call printed: " + all);

      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(30, TimeUnit.SECONDS);
        assertTrue(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        JsonNode ex = DemoModel.examples();
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        for (float v : DemoModel.row(ex.get("inputs"), 0)) {
          c.addFp32Contents(v);
        }
        ModelInferResponse resp = stub.modelInfer(ModelInferRequest.newBuilder()
            .setModelName("curve_forecaster").setId("e2e")
            .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
                .addShape(1).addShape(24).setContents(c))
            .build());
        assertEquals("1.0.0", resp.getModelVersion());
        assertEquals("e2e", resp.getId());
        float[] want = DemoModel.row(ex.get("outputs"), 0);
        for (int i = 0; i < 24; i++) {
          assertEquals(want[i], resp.getOutputs(0).getContents().getFp32Contents(i), 1e-5);
        }
        // Over the default 16 MiB limit: refused by the transport, and the server keeps serving.
        ModelInferRequest huge = ModelInferRequest.newBuilder()
            .setModelName("curve_forecaster")
            .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
                .addShape(1).addShape(24))
            .addRawInputContents(com.google.protobuf.ByteString.copyFrom(new byte[17 << 20]))
            .build();
        io.grpc.StatusRuntimeException tooBig = org.junit.jupiter.api.Assertions.assertThrows(
            io.grpc.StatusRuntimeException.class, () -> stub.modelInfer(huge));
        assertEquals(io.grpc.Status.Code.RESOURCE_EXHAUSTED, tooBig.getStatus().getCode(),
            String.valueOf(tooBig.getStatus()));
        assertTrue(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      checkRestAndMetrics(httpPort);

      // SIGTERM, as Ctrl-C does; via the handle, since Process.destroy() also closes our pipes.
      p.toHandle().destroy();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "server did not stop within 60 s");
      reader.join(5000);
      lines.drainTo(all);
      int exit = p.exitValue();
      assertTrue(all.stream().anyMatch(l -> l.contains("mlserve: stopped")),
          () -> "no graceful stop (exit " + exit + "): " + all);
    } finally {
      p.destroyForcibly();
    }
  }
}
