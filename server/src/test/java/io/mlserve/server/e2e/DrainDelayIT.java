package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.server.testing.DemoModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --drain-delay-seconds}: after SIGTERM the server reports not ready on both transports
 * ({@code grpc.health.v1} NOT_SERVING, {@code /readyz} 503) and still answers inference over
 * gRPC and REST for the whole delay, so a load balancer's health check can take the replica out
 * of rotation before any call is refused; then it stops gracefully. The delay (20 s) is far
 * longer than the four loopback calls made inside it, so a slow machine does not fail the test.
 */
class DrainDelayIT {
  private static final Pattern DRAINING = Pattern.compile("^mlserve: not ready; serving 20 s .*");

  @TempDir Path tmp;
  private LauncherProcess demo;

  @AfterEach
  void stop() throws Exception {
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  void notReadyButServingDuringTheDelayThenStops() throws Exception {
    demo = LauncherProcess.startInTmp(tmp,
        "demo", "--grpc-port", "0", "--http-port", "0", "--bind", "127.0.0.1",
        "--drain-delay-seconds", "20");
    Matcher ready = demo.awaitReady();
    int grpcPort = Integer.parseInt(ready.group(1));
    int httpPort = Integer.parseInt(ready.group(2));
    HttpClient http = HttpClient.newHttpClient();
    ManagedChannel ch =
        NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    try {
      var health = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
      assertEquals(HealthCheckResponse.ServingStatus.SERVING,
          health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
      assertEquals(200, get(http, httpPort, "/readyz").statusCode());

      demo.terminate();
      demo.awaitLine(DRAINING, 60, TimeUnit.SECONDS);
      assertEquals(HealthCheckResponse.ServingStatus.NOT_SERVING,
          HealthGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance()).getStatus());
      HttpResponse<String> readyz = get(http, httpPort, "/readyz");
      assertEquals(503, readyz.statusCode(), readyz.body());
      assertTrue(readyz.body().contains("shutting down"), readyz.body());

      ModelInferResponse answer = GRPCInferenceServiceGrpc.newBlockingStub(ch)
          .withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(inferRequest());
      assertEquals("1.0.0", answer.getModelVersion());
      HttpResponse<String> predict = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + httpPort + "/api/v1/predict"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"curve_forecaster\",\"input\":"
              + DemoModel.examples().get("inputs").get(0) + "}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, predict.statusCode(), predict.body());
      List<String> sofar = demo.output();
      assertTrue(!sofar.contains("mlserve: stopped"),
          "the calls above must have run inside the delay: " + sofar);
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    int exit = demo.awaitExit(90, TimeUnit.SECONDS);
    assertTrue(demo.output().contains("mlserve: stopped"), "exit " + exit + ": " + demo.output());
  }

  private static ModelInferRequest inferRequest() throws Exception {
    float[] row = DemoModel.row(DemoModel.examples().get("inputs"), 0);
    ByteBuffer raw = ByteBuffer.allocate(row.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(row);
    return ModelInferRequest.newBuilder().setModelName("curve_forecaster")
        .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
            .addShape(1).addShape(row.length))
        .addRawInputContents(com.google.protobuf.ByteString.copyFrom(raw.array()))
        .build();
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path)
      throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }
}
