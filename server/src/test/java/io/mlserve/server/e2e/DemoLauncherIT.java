package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ServerReadyRequest;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.Promtool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: starts {@code bin/mlserve demo} as a separate process, exactly as the README
 * does, calls it over loopback, then stops it with SIGTERM and expects a graceful exit that
 * removes the demo's temporary store. Each check is its own step, so one that is skipped (the
 * promtool lint, where promtool is not installed) or fails does not hide the others; the
 * SIGTERM step always runs.
 */
class DemoLauncherIT {
  private static final Pattern TEMP_STORE =
      Pattern.compile("^mlserve demo: temporary store (\\S+) \\(removed on exit.*");

  @TempDir Path tmp;
  private LauncherProcess demo;

  @AfterEach
  void killIfRunning() throws Exception {
    if (demo != null) {
      demo.close();
    }
  }

  @TestFactory
  List<DynamicTest> demoServesTheForecasterOverLoopbackAndStopsGracefully() throws Exception {
    demo = LauncherProcess.startInTmp(tmp,
        "demo", "--grpc-port", "0", "--http-port", "0", "--bind", "127.0.0.1");
    Matcher ready = demo.awaitReady();
    Path jvmTmp = LauncherProcess.jvmTmp(tmp);
    int grpcPort = Integer.parseInt(ready.group(1));
    int httpPort = Integer.parseInt(ready.group(2));
    Path store = Path.of(demo.awaitLine(TEMP_STORE, 1, TimeUnit.SECONDS).group(1));
    return List.of(
        dynamicTest("prints the example call and no CUDA probe warnings", () -> {
          List<String> out = demo.output();
          assertTrue(store.startsWith(jvmTmp), "temporary store in java.io.tmpdir: " + store);
          assertTrue(out.stream().anyMatch(l -> l.contains("bin/mlserve infer")),
              () -> "no example call printed: " + out);
          // DJL probes libcudart; with the CPU-only libtorch its warnings are noise.
          assertFalse(out.stream().anyMatch(l -> l.contains("CudaUtils")), out::toString);
        }),
        dynamicTest("gRPC: infer matches the golden outputs; too large is refused",
            () -> checkGrpc(grpcPort)),
        dynamicTest("REST: predict and /metrics", () -> checkRest(httpPort)),
        dynamicTest("/metrics passes promtool check metrics", () -> lintMetrics(httpPort)),
        dynamicTest("SIGTERM: graceful stop, temporary store removed", () -> {
          demo.terminate();
          int exit = demo.awaitExit(60, TimeUnit.SECONDS);
          List<String> out = demo.output();
          assertTrue(out.contains("mlserve: stopped"),
              () -> "no graceful stop (exit " + exit + "): " + out);
          assertFalse(Files.exists(store), () -> "temporary store left behind: " + out);
          try (Stream<Path> left = Files.list(jvmTmp)) {
            List<Path> demoStores = left
                .filter(p -> p.getFileName().toString().startsWith("mlserve-demo-")).toList();
            assertEquals(List.of(), demoStores);
          }
        }));
  }

  private static void checkGrpc(int port) throws Exception {
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(ch)
          .withDeadlineAfter(60, TimeUnit.SECONDS);
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
  }

  /** REST answers the same model, and /metrics counts it. */
  private static void checkRest(int httpPort) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> predict = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort + "/api/v1/predict"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"curve_forecaster\",\"input\":"
                + DemoModel.examples().get("inputs").get(0) + "}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, predict.statusCode(), predict.body());
    JsonNode out = new ObjectMapper().readTree(predict.body());
    assertEquals("1.0.0", out.get("version").asText());
    assertEquals(DemoModel.row(DemoModel.examples().get("outputs"), 0)[3],
        out.get("output").get(3).floatValue(), 1e-5);
    String metrics = scrape(httpPort);
    assertTrue(metrics.contains("mlserve_requests_total{model=\"curve_forecaster\""), metrics);
  }

  private static String scrape(int httpPort) throws Exception {
    HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    return metrics.body();
  }

  /**
   * A live /metrics scrape passes Prometheus' own lint. The only conditional check: skipped,
   * with a WARNING line in the build output, where promtool is not installed (never on CI).
   */
  private static void lintMetrics(int httpPort) throws Exception {
    Promtool.lint(scrape(httpPort), "DemoLauncherIT");
  }
}
