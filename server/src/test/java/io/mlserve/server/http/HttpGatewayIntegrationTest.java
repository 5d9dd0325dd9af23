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

/**
 * The real TorchScript demo model behind a real {@link HttpGateway} on a free loopback port:
 * answers must match the reference outputs committed with the model, and every kind of bad
 * request must be refused with its status and a JSON error naming the problem.
 */
class HttpGatewayIntegrationTest {
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
    }
    ModelLoader loader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    String grpcName = InProcessServerBuilder.generateName();
    server = MlServer.builder(InProcessServerBuilder.forName(grpcName).directExecutor(), store,
        loader).build();
    channel = InProcessChannelBuilder.forName(grpcName).directExecutor().build();
    assertTrue(server.start().isEmpty());
    gateway = HttpGateway.builder(server.router(), server.state(), Ticker.system())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).maxBodyBytes(MAX_BODY).build())
        .metrics(() -> "# TYPE mlserve_up gauge\nmlserve_up 1\n")
        .stageResolver(m -> m.equals(MODEL) ? "1.0.0" : null)
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

  @Test
  void predictOneRowAnswersOneRow() throws Exception {
    HttpResponse<String> r = http.post("/api/v1/predict", predictBody(inputRow(0)));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
    JsonNode b = json(r);
    assertEquals(MODEL, b.get("model").asText());
    assertEquals("1.0.0", b.get("version").asText());
    assertTrue(b.get("output").get(0).isNumber(), "1-D answer for a 1-D input");
    assertRow(b.get("output"), 0);
  }

  @Test
  void predictSeveralRowsAnswersNestedRows() throws Exception {
    ArrayNode in = MAPPER.createArrayNode().add(inputRow(3)).add(inputRow(4)).add(inputRow(5));
    JsonNode out = json(http.post("/api/v1/predict", predictBody(in))).get("output");
    assertEquals(3, out.size());
    for (int i = 0; i < 3; i++) {
      assertRow(out.get(i), 3 + i);
    }
  }

  @Test
  void predictByVersionStageAndNamedInputs() throws Exception {
    String row = inputRow(7).toString();
    for (String extra : List.of("\"version\":\"1.0.0\"", "\"stage\":\"Production\"",
        "\"stage\":\"Staging\"")) {
      HttpResponse<String> r = http.post("/api/v1/predict",
          "{\"model\":\"" + MODEL + "\"," + extra + ",\"input\":" + row + "}");
      assertEquals(200, r.statusCode(), extra + ": " + r.body());
      assertRow(json(r).get("output"), 7);
    }
    HttpResponse<String> r = http.post("/api/v1/predict",
        "{\"inputs\":{\"curve\":[" + row + "]},\"model\":\"" + MODEL + "\"}");
    assertEquals(200, r.statusCode(), r.body());
    assertRow(json(r).get("outputs").get("forecast").get(0), 7);
  }

  @Test
  void batchOfThousandRowsAnswersInOrder() throws Exception {
    int n = 1000;
    String body = MAPPER.createObjectNode().put("model", MODEL)
        .set("instances", instances(n)).toString();
    HttpResponse<String> r = http.post("/api/v1/batch", body);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode preds = json(r).get("predictions");
    assertEquals(n, preds.size());
    for (int i = 0; i < n; i++) {
      assertRow(preds.get(i), i);
    }
  }

  @Test
  void asyncJobRunsToCompletionAndIsDeleted() throws Exception {
    int n = 300;
    ObjectNode body = MAPPER.createObjectNode().put("model", MODEL).put("async", true);
    body.set("instances", instances(n));
    HttpResponse<String> r = http.post("/api/v1/batch", body.toString());
    assertEquals(202, r.statusCode(), r.body());
    String location = r.headers().firstValue("location").orElseThrow();
    JsonNode accepted = json(r);
    assertEquals(location, accepted.get("location").asText());
    assertEquals(n, accepted.get("total").asInt());
    assertTrue(location.startsWith("/api/v1/batch/"), location);

    JsonNode status = pollUntilFinished(location);
    assertEquals("done", status.get("state").asText(), status.toString());
    assertEquals(n, status.get("processed").asInt());
    JsonNode preds = status.get("predictions");
    assertEquals(n, preds.size());
    for (int i = 0; i < n; i++) {
      assertRow(preds.get(i), i);
    }
    HttpResponse<String> d = http.delete(location);
    assertEquals(200, d.statusCode(), d.body());
    assertEquals(404, http.get(location).statusCode());
    assertEquals(404, http.delete(location).statusCode());
  }

  static JsonNode pollUntilFinished(String location) throws Exception {
    return JobPolling.poll(http, location);
  }

  @Test
  void restAndGrpcCallsToTheSameModelAgreeRowForRow() throws Exception {
    var grpc = GRPCInferenceServiceGrpc.newFutureStub(channel);
    int n = 64;
    List<ListenableFuture<ModelInferResponse>> viaGrpc = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> viaRest = new ArrayList<>();
    // Interleaved and concurrent, so REST and gRPC requests share the batcher's queue.
    for (int i = 0; i < n; i++) {
      InferTensorContents.Builder c = InferTensorContents.newBuilder();
      inputRow(i).forEach(v -> c.addFp32Contents(v.floatValue()));
      viaGrpc.add(grpc.modelInfer(ModelInferRequest.newBuilder().setModelName(MODEL)
          .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
              .addShape(1).addShape(24).setContents(c)).build()));
      viaRest.add(http.postAsync("/api/v1/predict", predictBody(inputRow(i))));
    }
    for (int i = 0; i < n; i++) {
      List<Float> g = viaGrpc.get(i).get(60, TimeUnit.SECONDS).getOutputs(0).getContents()
          .getFp32ContentsList();
      HttpResponse<String> r = viaRest.get(i).get(60, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode rest = json(r).get("output");
      assertEquals(g.size(), rest.size());
      for (int k = 0; k < g.size(); k++) {
        // Same inputs, same model; only the batch each row landed in may differ, which moves
        // the last bits of the float arithmetic, so agreement is to the model's tolerance.
        assertEquals(g.get(k), rest.get(k).doubleValue(), TOL, "row " + i + " element " + k);
      }
      assertRow(rest, i);
    }
  }

  @Test
  void oipInferWithFlatAndNestedDataMatchesReference() throws Exception {
    ArrayNode flat = MAPPER.createArrayNode();
    for (int r = 0; r < 2; r++) {
      inputRow(10 + r).forEach(flat::add);
    }
    String body = "{\"id\":\"abc\",\"inputs\":[{\"name\":\"curve\",\"shape\":[2,24],"
        + "\"datatype\":\"FP32\",\"data\":" + flat + "}],\"outputs\":[{\"name\":\"forecast\"}]}";
    for (String path : List.of("/v2/models/" + MODEL + "/infer",
        "/v2/models/" + MODEL + "/versions/1.0.0/infer")) {
      HttpResponse<String> r = http.post(path, body);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode b = json(r);
      assertEquals(MODEL, b.get("model_name").asText());
      assertEquals("1.0.0", b.get("model_version").asText());
      assertEquals("abc", b.get("id").asText());
      JsonNode out = b.get("outputs").get(0);
      assertEquals("forecast", out.get("name").asText());
      assertEquals("FP32", out.get("datatype").asText());
      assertEquals("[2,24]", out.get("shape").toString());
      JsonNode data = out.get("data");
      assertEquals(48, data.size());
      for (int r2 = 0; r2 < 2; r2++) {
        ArrayNode row = MAPPER.createArrayNode();
        for (int i = 0; i < 24; i++) {
          row.add(data.get(r2 * 24 + i));
        }
        assertRow(row, 10 + r2);
      }
    }
    String nested = "{\"inputs\":[{\"name\":\"curve\",\"shape\":[1,24],\"datatype\":\"FP32\","
        + "\"data\":[" + inputRow(12) + "]}]}";
    HttpResponse<String> r = http.post("/v2/models/" + MODEL + "/infer", nested);
    assertEquals(200, r.statusCode(), r.body());
    assertFalse(json(r).has("id"));
    assertRow(json(r).get("outputs").get(0).get("data"), 12);
  }

  @Test
  void oipMetadataAndHealth() throws Exception {
    JsonNode server = json(http.get("/v2"));
    assertEquals("mlserve", server.get("name").asText());
    assertEquals("test-version", server.get("version").asText());
    assertEquals(200, http.get("/v2/health/live").statusCode());
    assertEquals(200, http.get("/v2/health/ready").statusCode());
    for (String path : List.of("/v2/models/" + MODEL, "/v2/models/" + MODEL + "/versions/1.0.0")) {
      HttpResponse<String> r = http.get(path);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode md = json(r);
      assertEquals(MODEL, md.get("name").asText());
      assertEquals("[\"1.0.0\"]", md.get("versions").toString());
      assertEquals("pytorch_libtorch", md.get("platform").asText());
      assertEquals("curve", md.get("inputs").get(0).get("name").asText());
      assertEquals("[-1,24]", md.get("inputs").get(0).get("shape").toString());
      assertEquals("forecast", md.get("outputs").get(0).get("name").asText());
    }
    HttpResponse<String> ready = http.get("/v2/models/" + MODEL + "/ready");
    assertEquals(200, ready.statusCode());
    assertTrue(json(ready).get("ready").asBoolean());
    assertEquals(200, http.get("/v2/models/" + MODEL + "/versions/1.0.0/ready").statusCode());
    HttpResponse<String> missing = http.get("/v2/models/nope");
    assertEquals(404, missing.statusCode());
    assertTrue(error(missing).contains("nope"));
    assertEquals(404, http.get("/v2/models/" + MODEL + "/versions/9.9.9/ready").statusCode());
  }

  @Test
  void healthzReadyzAndMetrics() throws Exception {
    HttpResponse<String> live = http.get("/healthz");
    assertEquals(200, live.statusCode());
    HttpResponse<String> ready = http.get("/readyz");
    assertEquals(200, ready.statusCode(), ready.body());
    JsonNode r = json(ready);
    assertTrue(r.get("ready").asBoolean());
    assertEquals(MODEL, r.get("models").get(0).get("name").asText());
    assertEquals("1.0.0", r.get("models").get(0).get("version").asText());
    assertEquals("ready", r.get("models").get(0).get("status").asText());
    HttpResponse<String> metrics = http.get("/metrics");
    assertEquals(200, metrics.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8",
        metrics.headers().firstValue("content-type").orElseThrow());
    assertTrue(metrics.body().contains("mlserve_up 1"));
  }

  /** Status and a fragment of the error message every bad request must produce. */
  record Bad(String path, String body, String contentType, int status, String... words) {}

  @Test
  void badRequestsAreRefusedWithStatusAndNamedProblem() throws Exception {
    String row = inputRow(0).toString();
    String row23 = row.substring(0, row.lastIndexOf(',')) + "]";
    List<Bad> cases = List.of(
        new Bad("/api/v1/predict", "{\"model\":", "application/json", 400, "malformed JSON"),
        new Bad("/api/v1/predict", "", "application/json", 400, "empty"),
        new Bad("/api/v1/predict", "[1,2]", "application/json", 400, "JSON object"),
        new Bad("/api/v1/predict", "{\"input\":" + row + "}", "application/json", 400, "model"),
        new Bad("/api/v1/predict", "{\"model\":7,\"input\":" + row + "}", "application/json",
            400, "model", "string"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\"}", "application/json", 400,
            "input", "missing"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"input\":\"x\"}",
            "application/json", 400, "input", "array"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"input\":[1,\"a\",3]}",
            "application/json", 400, "input", "numbers"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"input\":" + row23 + "}",
            "application/json", 400, "24", "23"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"input\":[" + row + ","
            + row23 + "]}", "application/json", 400, "ragged"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"inptu\":" + row + "}",
            "application/json", 400, "unknown field", "inptu"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"inputs\":{\"prices\":" + row
            + "}}", "application/json", 400, "prices", "curve"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"stage\":\"Archived\","
            + "\"input\":" + row + "}", "application/json", 400, "stage"),
        new Bad("/api/v1/predict", "{\"model\":\"nope\",\"input\":" + row + "}",
            "application/json", 404, "nope"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"version\":\"9.9.9\","
            + "\"input\":" + row + "}", "application/json", 404, "9.9.9"),
        new Bad("/api/v1/predict", predictBody(inputRow(0)), "text/plain", 415, "Content-Type",
            "application/json"),
        new Bad("/api/v1/batch", "{\"model\":\"" + MODEL + "\",\"instances\":[]}",
            "application/json", 400, "instances"),
        new Bad("/api/v1/batch", "{\"model\":\"" + MODEL + "\",\"instances\":" + row + "}",
            "application/json", 400, "instances", "[24]"),
        new Bad("/api/v1/batch", "{\"model\":\"" + MODEL + "\",\"instances\":[" + row23 + "]}",
            "application/json", 400, "24", "23"),
        new Bad("/v2/models/" + MODEL + "/infer", "{\"inputs\":[{\"name\":\"curve\","
            + "\"shape\":[1,24],\"datatype\":\"FP32\",\"data\":[1,2]}]}", "application/json",
            400, "24", "2"),
        new Bad("/v2/models/" + MODEL + "/infer", "{\"inputs\":[{\"name\":\"curve\","
            + "\"shape\":[1,24],\"datatype\":\"STRINGS\",\"data\":" + row + "}]}",
            "application/json", 400, "STRINGS"),
        new Bad("/v2/models/" + MODEL + "/infer", "{\"inputs\":[{\"name\":\"curve\","
            + "\"shape\":[1,24],\"datatype\":\"FP32\",\"data\":" + row + "}],"
            + "\"outputs\":[{\"name\":\"nonesuch\"}]}", "application/json", 400, "nonesuch",
            "forecast"),
        new Bad("/v2/models/" + MODEL + "/infer", "{}", "application/json", 400, "inputs"),
        new Bad("/api/v1/nothing", "{}", "application/json", 404, "/api/v1/nothing"));
    for (Bad c : cases) {
      HttpResponse<String> r = http.post(c.path, c.body, c.contentType);
      String what = c.path + " " + c.body + " -> " + r.statusCode() + " " + r.body();
      assertEquals(c.status, r.statusCode(), what);
      assertEquals("application/json", r.headers().firstValue("content-type").orElse(""), what);
      String msg = error(r).toLowerCase(Locale.ROOT);
      for (String w : c.words) {
        assertTrue(msg.contains(w.toLowerCase(Locale.ROOT)), what);
      }
    }
    // The model still serves after all of that.
    assertEquals(200, http.post("/api/v1/predict", predictBody(inputRow(0))).statusCode());
  }

  @Test
  void wrongMethodIs405WithAllow() throws Exception {
    HttpResponse<String> r = http.get("/api/v1/predict");
    assertEquals(405, r.statusCode());
    assertEquals("POST", r.headers().firstValue("allow").orElseThrow());
    assertTrue(error(r).contains("GET"));
    HttpResponse<String> d = http.delete("/healthz");
    assertEquals(405, d.statusCode());
    assertEquals("GET", d.headers().firstValue("allow").orElseThrow());
    assertEquals(404, http.get("/nothing/here").statusCode());
  }

  @Test
  void bodyOverTheLimitIs413WithJsonError() throws Exception {
    StringBuilder big = new StringBuilder("{\"model\":\"" + MODEL + "\",\"instances\":[");
    String row = inputRow(0).toString();
    while (big.length() <= MAX_BODY) {
      big.append(row).append(',');
    }
    big.append(row).append("]}");
    HttpResponse<String> r = http.post("/api/v1/batch", big.toString());
    assertEquals(413, r.statusCode());
    assertTrue(error(r).contains(String.valueOf(MAX_BODY)), r.body());
    // The connection pool and the server still work afterwards.
    assertEquals(200, http.post("/api/v1/predict", predictBody(inputRow(0))).statusCode());
  }

  @Test
  void keepAliveServesSeveralRequestsOnOneConnectionAndPipelinedInOrder() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      InputStream in = new BufferedInputStream(s.getInputStream());
      for (int i = 0; i < 3; i++) {
        out.write(rawPost(predictBody(inputRow(i))));
        out.flush();
        RawResponse r = readResponse(in);
        assertEquals(200, r.status, r.body);
        assertRow(MAPPER.readTree(r.body).get("output"), i);
      }
      // Pipelined: a slow batch, then quick requests; answers come back in request order.
      ByteArrayOutputStream burst = new ByteArrayOutputStream();
      burst.write(rawPost(MAPPER.createObjectNode().put("model", MODEL)
          .set("instances", instances(500)).toString(), "/api/v1/batch"));
      burst.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      burst.write(rawPost(predictBody(inputRow(5))));
      out.write(burst.toByteArray());
      out.flush();
      RawResponse first = readResponse(in);
      assertEquals(200, first.status);
      assertEquals(500, MAPPER.readTree(first.body).get("predictions").size());
      RawResponse second = readResponse(in);
      assertTrue(second.body.contains("live"), second.body);
      RawResponse third = readResponse(in);
      assertRow(MAPPER.readTree(third.body).get("output"), 5);
    }
  }

  @Test
  void h2cUpgradeServesHttp2() throws Exception {
    HttpTestClient h2 = new HttpTestClient(gateway.port(), HttpClient.Version.HTTP_2);
    HttpResponse<String> live = h2.get("/healthz");
    assertEquals(200, live.statusCode());
    assertEquals(HttpClient.Version.HTTP_2, live.version());
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(h2.postAsync("/api/v1/predict", predictBody(inputRow(i))));
    }
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = calls.get(i).get(60, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(HttpClient.Version.HTTP_2, r.version());
      assertRow(json(r).get("output"), i);
    }
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
