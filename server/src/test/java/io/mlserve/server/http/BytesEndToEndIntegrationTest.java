package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.error;
import static io.mlserve.server.http.HttpTestClient.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.ServerState;
import io.mlserve.server.grpc.InferenceGrpcService;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.tensor.BytesElements;
import io.mlserve.server.testing.EchoBytesModel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BYTES tensors through a real server over loopback: OIP REST JSON, {@code /api/v1/predict} and
 * gRPC (bytes_contents and raw), into a fake engine that echoes strings, through the real
 * validator, bucketed padding (rows padded with empty strings) and batcher.
 */
class BytesEndToEndIntegrationTest {
  @TempDir static Path dir;
  private static final EchoBytesModel MODEL = new EchoBytesModel();
  private static ServedModel served;
  private static HttpGateway gateway;
  private static HttpTestClient http;
  private static Server grpcServer;
  private static ManagedChannel channel;
  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc;

  @BeforeAll
  static void start() throws Exception {
    served = MODEL.load(dir, "1.0.0", 4);
    ModelRouter router = new ModelRouter();
    router.put(served, true);
    ServerState state = new ServerState(router::allDefaultsLoaded);
    state.markStarted();
    InferenceService service = new InferenceService(router, Ticker.system());
    gateway = HttpGateway.builder(service, state)
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .build();
    http = new HttpTestClient(gateway.start());
    grpcServer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new InferenceGrpcService(service, state, "test"))
        .build()
        .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.getPort())
        .usePlaintext().build();
    grpc = GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (grpcServer != null) {
      grpcServer.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (gateway != null) {
      gateway.close();
    }
    if (served != null) {
      served.close();
    }
  }

  @Test
  void oipRestCarriesStringsInAndOut() throws Exception {
    MODEL.batchRows.clear();
    HttpResponse<String> r = http.post("/v2/models/echo/infer", "{\"id\":\"q1\",\"inputs\":[{"
        + "\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[3],"
        + "\"data\":[\"cat\",\"\",\"caf\\u00e9\"]}]}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode out = json(r).get("outputs");
    assertEquals("label", out.get(0).get("name").asText());
    assertEquals("BYTES", out.get(0).get("datatype").asText());
    assertEquals("[3]", out.get(0).get("shape").toString());
    assertEquals(List.of("cat!", "!", "café!"), texts(out.get(0).get("data")));
    assertEquals("[3,0,5]", out.get(1).get("data").toString());
    // 3 rows ran as a bucket of 4: the padding row was an empty string, cut from the answer
    assertEquals(List.of(4L), MODEL.batchRows);

    JsonNode meta = json(http.get("/v2/models/echo"));
    assertEquals("BYTES", meta.get("inputs").get(0).get("datatype").asText());
  }

  @Test
  void oipRestBinaryExtensionCarriesLengthPrefixedStringsInAndOut() throws Exception {
    // The binary tensor data extension: BYTES elements as 4-byte little-endian lengths + bytes.
    byte[] in = BytesElements.encodeStrings(List.of("cat", "", "caf\u00e9"));
    byte[] head = ("{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[3],"
        + "\"parameters\":{\"binary_data_size\":" + in.length + "}}],"
        + "\"parameters\":{\"binary_data_output\":true}}").getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[head.length + in.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(in, 0, body, head.length, in.length);
    HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.port() + "/v2/models/echo/infer"))
        .header("Content-Type", "application/octet-stream")
        .header("Inference-Header-Content-Length", Integer.toString(head.length))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
    int n = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length")
        .orElseThrow());
    JsonNode out = HttpTestClient.MAPPER.readTree(java.util.Arrays.copyOf(r.body(), n))
        .get("outputs");
    byte[] label = BytesElements.encodeStrings(List.of("cat!", "!", "caf\u00e9!"));
    assertEquals(label.length, out.get(0).get("parameters").get("binary_data_size").asInt());
    assertEquals(24, out.get(1).get("parameters").get("binary_data_size").asInt());
    assertArrayEquals(label, java.util.Arrays.copyOfRange(r.body(), n, n + label.length));
    ByteBuffer lengths = ByteBuffer.wrap(r.body(), n + label.length, 24)
        .order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(List.of(3L, 0L, 5L),
        List.of(lengths.getLong(), lengths.getLong(), lengths.getLong()));

    // A BYTES element whose length prefix runs past its tensor's bytes: 400 naming the input.
    byte[] broken = in.clone();
    broken[0] = 9;
    System.arraycopy(broken, 0, body, head.length, broken.length);
    HttpResponse<String> bad = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.port() + "/v2/models/echo/infer"))
        .header("Content-Type", "application/octet-stream")
        .header("Inference-Header-Content-Length", Integer.toString(head.length))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(error(bad).contains("input 'text'"), bad.body());
  }

  @Test
  void oipRestRefusesWhatJsonCannotCarry() throws Exception {
    HttpResponse<String> numbers = http.post("/v2/models/echo/infer", "{\"inputs\":[{"
        + "\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[42]}]}");
    assertEquals(400, numbers.statusCode(), numbers.body());
    assertEquals("tensor 'text': expected strings of BYTES, got 42", error(numbers));

    HttpResponse<String> wrongType = http.post("/v2/models/echo/infer", "{\"inputs\":[{"
        + "\"name\":\"text\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1.5]}]}");
    assertEquals(400, wrongType.statusCode(), wrongType.body());
    assertEquals("input 'text': expected datatype BYTES, got FP32", error(wrongType));

    HttpResponse<String> notUtf8 = http.post("/v2/models/echo/infer", "{\"inputs\":[{"
        + "\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"ok\",\"raw\"]}]}");
    assertEquals(400, notUtf8.statusCode(), notUtf8.body());
    assertTrue(error(notUtf8).startsWith("output 'label': BYTES element 1 [1] is not valid "
        + "UTF-8, so it has no JSON string form"), notUtf8.body());
  }

  @Test
  void simplePredictTakesAndAnswersStrings() throws Exception {
    HttpResponse<String> one = http.post("/api/v1/predict",
        "{\"model\":\"echo\",\"input\":[\"dog\"]}");
    assertEquals(200, one.statusCode(), one.body());
    assertEquals("[\"dog!\"]", json(one).get("outputs").get("label").toString());

    // 6 rows of different sizes: two chunks of at most 4 rows, cut at element boundaries
    HttpResponse<String> rows = http.post("/api/v1/batch", "{\"model\":\"echo\","
        + "\"instances\":[\"a\",\"bb\",\"\",\"dddd\",\"é\",\"ffffff\"]}");
    assertEquals(200, rows.statusCode(), rows.body());
    JsonNode p = json(rows).get("predictions");
    assertEquals(6, p.size());
    List<String> labels = new java.util.ArrayList<>();
    p.forEach(row -> labels.add(row.get("label").asText() + row.get("length").asInt()));
    assertEquals(List.of("a!1", "bb!2", "!0", "dddd!4", "é!2", "ffffff!6"), labels);

    HttpResponse<String> numbers = http.post("/api/v1/predict",
        "{\"model\":\"echo\",\"input\":[1,2]}");
    assertEquals(400, numbers.statusCode(), numbers.body());
    assertEquals("field 'input': input 'text' is BYTES (strings), got numbers", error(numbers));
  }

  @Test
  void grpcTypedBytesContentsCarryAnyBytes() {
    ByteString binary = ByteString.copyFrom(new byte[] {0, (byte) 0xFE});
    ModelInferResponse resp = grpc.modelInfer(ModelInferRequest.newBuilder()
        .setModelName("echo")
        .addInputs(InferInputTensor.newBuilder().setName("text").setDatatype("BYTES")
            .addShape(2).setContents(InferTensorContents.newBuilder()
                .addBytesContents(ByteString.copyFromUtf8("hé")).addBytesContents(binary)))
        .build());
    assertEquals("BYTES", resp.getOutputs(0).getDatatype());
    assertEquals(List.of(ByteString.copyFromUtf8("hé!"), binary.concat(ByteString.copyFromUtf8("!"))),
        resp.getOutputs(0).getContents().getBytesContentsList());
    assertEquals(List.of(3L, 2L), resp.getOutputs(1).getContents().getInt64ContentsList());
  }

  @Test
  void grpcRawContentsAreLengthPrefixedAndCheckedAtTheEdge() {
    byte[] raw = BytesElements.encode(List.of("x".getBytes(), "raw".getBytes()));
    ModelInferRequest.Builder req = ModelInferRequest.newBuilder().setModelName("echo")
        .addInputs(InferInputTensor.newBuilder().setName("text").setDatatype("BYTES")
            .addShape(2));
    ModelInferResponse resp =
        grpc.modelInfer(req.clone().addRawInputContents(ByteString.copyFrom(raw)).build());
    assertArrayEquals(new byte[] {2, 0, 0, 0, 'x', '!', 1, 0, 0, 0, (byte) 0xFF},
        resp.getRawOutputContents(0).toByteArray());
    ByteBuffer lengths = resp.getRawOutputContents(1).asReadOnlyByteBuffer()
        .order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(1L, lengths.getLong(0));
    assertEquals(3L, lengths.getLong(8));

    StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
        () -> grpc.modelInfer(req.clone().addRawInputContents(
            ByteString.copyFrom(new byte[] {1, 0, 0, 0, 'x', 5, 0, 0, 0})).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    assertEquals("input 'text': raw_input_contents[0] is not 2 length-prefixed BYTES elements"
        + " (shape [2]): BYTES element 1 claims 5 bytes, only 0 remain",
        bad.getStatus().getDescription());
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new java.util.ArrayList<>();
    array.forEach(n -> out.add(n.textValue()));
    return out;
  }
}
