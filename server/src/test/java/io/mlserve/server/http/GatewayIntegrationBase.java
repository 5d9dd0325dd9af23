package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.MAPPER;
import static io.mlserve.server.http.HttpTestClient.error;
import static io.mlserve.server.http.HttpTestClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.MlServer;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shared set-up of the gateway integration tests: the real demo model behind a real
 * {@link HttpGateway} on a free loopback port (one per test class), and raw-socket helpers. */
abstract class GatewayIntegrationBase {
  static final String MODEL = "curve_forecaster";
  static final double TOL = 1e-5;
  static final int MAX_BODY = 4 * 1024 * 1024;

  @TempDir static Path storeDir;
  static MlServer server;
  static HttpGateway gateway;
  static HttpTestClient http;
  static JsonNode examples;
  static int rows;
  static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    ModelStore store = ModelStore.open(storeDir);
    try (EventLog events = EventLog.open(store.root())) {
      ModelRegistry registry =
          new ModelRegistry(store, events, ArtifactValidator.none(), Clock.systemUTC());
      registry.register(
          RegisterRequest.fromManifestFile(DemoModel.dir().resolve("model.json"), "test"));
      registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "http integration test");
      // The same artifact again as 1.0.1 in Staging, so "stage": "Staging" has a version.
      RegisterRequest r =
          RegisterRequest.fromManifestFile(DemoModel.dir().resolve("model.json"), "test");
      registry.register(new RegisterRequest(r.model(), "1.0.1", r.artifact(), r.format(),
          r.signature(), r.serving(), r.runId(), r.params(), r.metrics(), r.description(),
          r.examples(), r.actor()));
      registry.promote(MODEL, "1.0.1", Stage.STAGING, "test", "http integration test");
    }
    // The HTTP side runs on real Netty event loops: batchers defer their wake-ups as in the server.
    ModelLoader loader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled(),
        io.mlserve.server.netty.EventLoops::current);
    String grpcName = InProcessServerBuilder.generateName();
    server = MlServer.builder(InProcessServerBuilder.forName(grpcName).directExecutor(), store,
        loader).build();
    channel = InProcessChannelBuilder.forName(grpcName).directExecutor().build();
    assertTrue(server.start().isEmpty());
    gateway = HttpGateway.builder(server.inference(), server.state())
        .experiments(server.experiments())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).maxBodyBytes(MAX_BODY).build())
        .metrics(() -> "# TYPE mlserve_up gauge\nmlserve_up 1\n")
        .serverVersion("test-version")
        .build();
    http = new HttpTestClient(gateway.start());
    examples = DemoModel.examples();
    rows = examples.get("inputs").size();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    gateway.close();
    server.shutdown(5, TimeUnit.SECONDS);
  }

  static JsonNode inputRow(int r) {
    return examples.get("inputs").get(r % rows);
  }

  static void assertRow(JsonNode got, int r) {
    JsonNode want = examples.get("outputs").get(r % rows);
    assertEquals(want.size(), got.size(), "row " + r);
    for (int i = 0; i < want.size(); i++) {
      assertEquals(want.get(i).doubleValue(), got.get(i).doubleValue(), TOL,
          "row " + r + " element " + i);
    }
  }

  static String predictBody(JsonNode input) {
    ObjectNode b = MAPPER.createObjectNode().put("model", MODEL);
    b.set("input", input);
    return b.toString();
  }

  static ArrayNode instances(int n) {
    ArrayNode a = MAPPER.createArrayNode();
    for (int i = 0; i < n; i++) {
      a.add(inputRow(i));
    }
    return a;
  }

  static byte[] rawPost(String body) {
    return rawPost(body, "/api/v1/predict");
  }

  static byte[] rawPost(String body, String path) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head = "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + b.length + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + b.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(b, 0, all, h.length, b.length);
    return all;
  }

  record RawResponse(int status, String body) {}

  static RawResponse readResponse(InputStream in) throws IOException {
    String status = readLine(in);
    int code = Integer.parseInt(status.split(" ")[1]);
    int length = -1;
    String line;
    while (!(line = readLine(in)).isEmpty()) {
      String[] kv = line.split(":", 2);
      if (kv[0].trim().equalsIgnoreCase("content-length")) {
        length = Integer.parseInt(kv[1].trim());
      }
      assertFalse(kv[0].trim().equalsIgnoreCase("connection") && kv[1].contains("close"),
          "server asked to close a keep-alive connection");
    }
    assertTrue(length >= 0, "response without Content-Length");
    byte[] body = in.readNBytes(length);
    return new RawResponse(code, new String(body, StandardCharsets.UTF_8));
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    if (c == -1 && sb.length() == 0) {
      throw new IOException("connection closed by the server");
    }
    return sb.toString();
  }
}
