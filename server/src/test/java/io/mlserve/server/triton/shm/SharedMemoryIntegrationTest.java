package io.mlserve.server.triton.shm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.mlserve.proto.inference.CudaSharedMemoryRegisterRequest;
import io.mlserve.proto.inference.CudaSharedMemoryStatusRequest;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.mlserve.proto.inference.InferParameter;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ServerMetadataRequest;
import io.mlserve.proto.inference.SystemSharedMemoryRegisterRequest;
import io.mlserve.proto.inference.SystemSharedMemoryStatusRequest;
import io.mlserve.proto.inference.SystemSharedMemoryStatusResponse;
import io.mlserve.proto.inference.SystemSharedMemoryUnregisterRequest;
import io.mlserve.server.MlServer;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.http.HttpGateway;
import io.mlserve.server.http.HttpOptions;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.netty.EventLoops;
import io.mlserve.server.testing.DemoModel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triton's system shared-memory extension against real servers on loopback (Netty gRPC and the
 * HTTP gateway, the real demo model): one with the feature on and an admin token (so register
 * and unregister need it), one as a server with a token runs by default (the feature off).
 * Regions are files created here under /dev/shm, removed after each test.
 */
class SharedMemoryIntegrationTest {
  private static final String MODEL = "curve_forecaster";
  private static final String TOKEN = "s3cret";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int ROWS = 3;
  private static final int BYTES = ROWS * 24 * 4;

  @TempDir static Path dir;
  private static Served on;
  private static Served off;
  private static float[] input;

  private final ShmFiles files = new ShmFiles();
  private final HttpClient http = HttpClient.newHttpClient();

  /** One server: gRPC and HTTP on free loopback ports over one registry. */
  private static final class Served implements AutoCloseable {
    final SharedMemoryRegistry registry;
    final MlServer server;
    final HttpGateway gateway;
    final int httpPort;
    final ManagedChannel channel;
    final GRPCInferenceServiceBlockingStub stub;
    final GRPCInferenceServiceBlockingStub admin;

    Served(Path store, SharedMemoryRegistry registry) throws Exception {
      this.registry = registry;
      ModelLoader loader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
          Function.identity(), new MetricsRegistry(), Telemetry.disabled(), EventLoops::current);
      server = MlServer.builder(NettyServerBuilder.forAddress(
              new InetSocketAddress("127.0.0.1", 0)), DemoModel.productionStore(store), loader)
          .sharedMemory(registry).adminToken(TOKEN).build();
      assertTrue(server.start().isEmpty());
      gateway = HttpGateway.builder(server.inference(), server.state())
          .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
          .sharedMemory(registry, TOKEN).build();
      httpPort = gateway.start();
      channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
          .build();
      stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      Metadata auth = new Metadata();
      auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
          "Bearer " + TOKEN);
      admin = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
    }

    @Override
    public void close() throws Exception {
      channel.shutdownNow();
      gateway.close();
      server.shutdown(5, TimeUnit.SECONDS);
      registry.close();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    on = new Served(dir.resolve("on"), new SharedMemoryRegistry(true, 8, 1 << 20));
    off = new Served(dir.resolve("off"), SharedMemoryRegistry.disabled());
    JsonNode rows = DemoModel.examples().get("inputs");
    input = new float[BYTES / 4];
    for (int r = 0; r < ROWS; r++) {
      System.arraycopy(DemoModel.row(rows, r), 0, input, r * 24, 24);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    on.close();
    off.close();
  }

  @AfterEach
  void unregisterAndDelete() throws Exception {
    on.registry.unregister("");
    files.close();
  }

  private static byte[] le(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private static void write(String key, long offset, byte[] data) throws Exception {
    try (FileChannel ch = FileChannel.open(ShmFiles.path(key), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(data), offset);
    }
  }

  private static byte[] read(String key, int offset, int length) throws Exception {
    return Arrays.copyOfRange(Files.readAllBytes(ShmFiles.path(key)), offset, offset + length);
  }

  private static InferParameter str(String s) {
    return InferParameter.newBuilder().setStringParam(s).build();
  }

  private static InferParameter i64(long v) {
    return InferParameter.newBuilder().setInt64Param(v).build();
  }

  private static InferInputTensor.Builder curve() {
    return InferInputTensor.newBuilder().setName("curve").setDatatype("FP32").addShape(ROWS)
        .addShape(24);
  }

  private static ModelInferRequest shmRequest(String in, long inOffset, long inSize,
      String out, long outOffset, long outSize) {
    return ModelInferRequest.newBuilder().setModelName(MODEL)
        .addInputs(curve().putParameters(ShmRef.REGION, str(in))
            .putParameters(ShmRef.OFFSET, i64(inOffset))
            .putParameters(ShmRef.BYTE_SIZE, i64(inSize)))
        .addOutputs(InferRequestedOutputTensor.newBuilder().setName("forecast")
            .putParameters(ShmRef.REGION, str(out))
            .putParameters(ShmRef.OFFSET, i64(outOffset))
            .putParameters(ShmRef.BYTE_SIZE, i64(outSize)))
        .build();
  }

  private static void register(GRPCInferenceServiceBlockingStub stub, String name, String key,
      long offset, long size) {
    stub.systemSharedMemoryRegister(SystemSharedMemoryRegisterRequest.newBuilder()
        .setName(name).setKey(key).setOffset(offset).setByteSize(size).build());
  }

  private static StatusRuntimeException grpcRefusal(Status.Code code, Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().getDescription());
    return e;
  }

  @Test
  void grpcInputAndOutputInSharedMemoryEqualTheRawBytesPath() throws Exception {
    ModelInferResponse raw = on.stub.modelInfer(ModelInferRequest.newBuilder()
        .setModelName(MODEL).addInputs(curve()).addRawInputContents(ByteString.copyFrom(le(input)))
        .build());
    byte[] expected = raw.getRawOutputContents(0).toByteArray();
    assertEquals(BYTES, expected.length);

    String inKey = files.create(1024);
    String outKey = files.create(1024);
    write(inKey, 64 + 16, le(input)); // region starts at 64, the tensor 16 bytes into it
    register(on.admin, "in", inKey, 64, 512);
    register(on.admin, "out", outKey, 0, 1024);
    SystemSharedMemoryStatusResponse status =
        on.stub.systemSharedMemoryStatus(SystemSharedMemoryStatusRequest.getDefaultInstance());
    assertEquals(inKey, status.getRegionsOrThrow("in").getKey());
    assertEquals(64, status.getRegionsOrThrow("in").getOffset());
    assertEquals(512, status.getRegionsOrThrow("in").getByteSize());
    assertEquals(2, status.getRegionsCount());

    ModelInferResponse resp = on.stub.modelInfer(shmRequest("in", 16, BYTES, "out", 100, 400));
    assertEquals("forecast", resp.getOutputs(0).getName());
    assertEquals("FP32", resp.getOutputs(0).getDatatype());
    assertEquals(List.of((long) ROWS, 24L), resp.getOutputs(0).getShapeList());
    assertFalse(resp.getOutputs(0).hasContents());
    assertEquals(1, resp.getRawOutputContentsCount()); // in step with outputs, as Triton
    assertTrue(resp.getRawOutputContents(0).isEmpty());
    assertArrayEquals(expected, read(outKey, 100, BYTES));

    // a shared-memory input with the output in the answer: raw bytes, as Triton answers
    ModelInferResponse mixed = on.stub.modelInfer(ModelInferRequest.newBuilder()
        .setModelName(MODEL).addInputs(curve().putParameters(ShmRef.REGION, str("in"))
            .putParameters(ShmRef.OFFSET, i64(16)).putParameters(ShmRef.BYTE_SIZE, i64(BYTES)))
        .build());
    assertArrayEquals(expected, mixed.getRawOutputContents(0).toByteArray());

    on.admin.systemSharedMemoryUnregister(
        SystemSharedMemoryUnregisterRequest.newBuilder().setName("in").build());
    StatusRuntimeException gone = grpcRefusal(Status.Code.INVALID_ARGUMENT,
        () -> on.stub.modelInfer(shmRequest("in", 16, BYTES, "out", 100, 400)));
    assertTrue(gone.getStatus().getDescription().contains("'in' is not registered"));
    on.admin.systemSharedMemoryUnregister(SystemSharedMemoryUnregisterRequest.getDefaultInstance());
    assertEquals(0, on.stub.systemSharedMemoryStatus(
        SystemSharedMemoryStatusRequest.getDefaultInstance()).getRegionsCount());
  }

  @Test
  void grpcRefusesWhatDisagreesWithTheRegionOrTheShape() throws Exception {
    String key = files.create(1024);
    register(on.admin, "r", key, 0, 1024);
    String m = grpcRefusal(Status.Code.INVALID_ARGUMENT,
        () -> on.stub.modelInfer(shmRequest("r", 1000, BYTES, "r", 0, BYTES)))
        .getStatus().getDescription();
    assertTrue(m.contains("input 'curve'") && m.contains("past the end of region 'r'"), m);
    m = grpcRefusal(Status.Code.INVALID_ARGUMENT,
        () -> on.stub.modelInfer(shmRequest("r", 0, BYTES - 4, "r", 512, BYTES)))
        .getStatus().getDescription();
    assertTrue(m.contains("input 'curve'") && m.contains("needs " + BYTES + " bytes"), m);
    m = grpcRefusal(Status.Code.INVALID_ARGUMENT,
        () -> on.stub.modelInfer(shmRequest("r", 0, BYTES, "r", 512, 100)))
        .getStatus().getDescription();
    assertTrue(m.contains("output 'forecast' has " + BYTES + " bytes"), m);
    m = grpcRefusal(Status.Code.INVALID_ARGUMENT,
        () -> on.stub.modelInfer(shmRequest("r", 0, BYTES, "r", 1000, BYTES)))
        .getStatus().getDescription();
    assertTrue(m.contains("output 'forecast'") && m.contains("past the end"), m);
    m = grpcRefusal(Status.Code.INVALID_ARGUMENT,
        () -> on.stub.modelInfer(shmRequest("nope", 0, BYTES, "r", 0, BYTES)))
        .getStatus().getDescription();
    assertTrue(m.contains("'nope' is not registered"), m);

    grpcRefusal(Status.Code.ALREADY_EXISTS, () -> register(on.admin, "r", key, 0, 8));
    grpcRefusal(Status.Code.INVALID_ARGUMENT, () -> register(on.admin, "x", key, 1000, 25));
    grpcRefusal(Status.Code.INVALID_ARGUMENT, () -> register(on.admin, "x", "/../etc/passwd",
        0, 8));
    grpcRefusal(Status.Code.INVALID_ARGUMENT, () -> register(on.admin, "x", "/etc/passwd", 0, 8));
    Path outside = dir.resolve("outside-" + UUID.randomUUID());
    Files.write(outside, new byte[64]);
    String link = files.link(outside);
    m = grpcRefusal(Status.Code.INVALID_ARGUMENT, () -> register(on.admin, "x", link, 0, 8))
        .getStatus().getDescription();
    assertTrue(m.contains("symbolic link"), m);
    grpcRefusal(Status.Code.UNAUTHENTICATED, () -> register(on.stub, "x", key, 0, 8));
    grpcRefusal(Status.Code.UNAUTHENTICATED, () -> on.stub.systemSharedMemoryUnregister(
        SystemSharedMemoryUnregisterRequest.getDefaultInstance()));
    grpcRefusal(Status.Code.NOT_FOUND, () -> on.stub.systemSharedMemoryStatus(
        SystemSharedMemoryStatusRequest.newBuilder().setName("x").build()));
    assertEquals(1, on.stub.systemSharedMemoryStatus(
        SystemSharedMemoryStatusRequest.getDefaultInstance()).getRegionsCount());

    assertEquals(0, on.stub.cudaSharedMemoryStatus(
        CudaSharedMemoryStatusRequest.getDefaultInstance()).getRegionsCount());
    grpcRefusal(Status.Code.UNIMPLEMENTED, () -> on.admin.cudaSharedMemoryRegister(
        CudaSharedMemoryRegisterRequest.newBuilder().setName("g").setByteSize(8).build()));
  }

  private HttpResponse<String> post(Served s, String path, String body, boolean token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + s.httpPort + path))
        .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body))
        .header("Content-Type", "application/json");
    if (token) {
      b.header("Authorization", "Bearer " + TOKEN);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(Served s, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort + path))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String registerBody(String key, long offset, long size) {
    return MAPPER.createObjectNode().put("key", key).put("offset", offset)
        .put("byte_size", size).toString();
  }

  private static ObjectNode restInfer(ObjectNode inputParams, ObjectNode outputParams) {
    ObjectNode body = MAPPER.createObjectNode();
    ObjectNode in = body.putArray("inputs").addObject().put("name", "curve")
        .put("datatype", "FP32");
    in.putArray("shape").add(ROWS).add(24);
    if (inputParams == null) {
      ArrayNode data = in.putArray("data");
      for (float v : input) {
        data.add(v);
      }
    } else {
      in.set("parameters", inputParams);
    }
    if (outputParams != null) {
      body.putArray("outputs").addObject().put("name", "forecast")
          .set("parameters", outputParams);
    }
    return body;
  }

  private static ObjectNode params(String region, long offset, long size) {
    return MAPPER.createObjectNode().put(ShmRef.REGION, region).put(ShmRef.OFFSET, offset)
        .put(ShmRef.BYTE_SIZE, size);
  }

  private static String error(HttpResponse<String> r) throws Exception {
    return MAPPER.readTree(r.body()).get("error").asText();
  }

  @Test
  void restInputAndOutputInSharedMemoryEqualTheJsonPath() throws Exception {
    JsonNode plain = MAPPER.readTree(post(on, "/v2/models/" + MODEL + "/infer",
        restInfer(null, null).toString(), false).body());
    JsonNode data = plain.get("outputs").get(0).get("data");
    float[] expected = new float[data.size()];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = Float.parseFloat(data.get(i).asText());
    }

    String key = files.create(4096);
    write(key, 128, le(input));
    HttpResponse<String> reg = post(on, "/v2/systemsharedmemory/region/io/register",
        registerBody(key, 0, 4096), true);
    assertEquals(200, reg.statusCode(), reg.body());
    JsonNode status = MAPPER.readTree(get(on, "/v2/systemsharedmemory/status").body());
    assertEquals(MAPPER.readTree("[{\"name\":\"io\",\"key\":\"" + key
        + "\",\"offset\":0,\"byte_size\":4096}]"), status);
    assertEquals(status, MAPPER.readTree(
        get(on, "/v2/systemsharedmemory/region/io/status").body()));

    HttpResponse<String> r = post(on, "/v2/models/" + MODEL + "/infer",
        restInfer(params("io", 128, BYTES), params("io", 2048, BYTES)).toString(), false);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode out = MAPPER.readTree(r.body()).get("outputs").get(0);
    assertEquals("forecast", out.get("name").asText());
    assertEquals("[" + ROWS + ",24]", out.get("shape").toString());
    assertFalse(out.has("data"), out.toString());
    assertArrayEquals(le(expected), read(key, 2048, BYTES));

    assertEquals(200, post(on, "/v2/systemsharedmemory/region/io/unregister", null, true)
        .statusCode());
    assertEquals("[]", get(on, "/v2/systemsharedmemory/status").body());
  }

  @Test
  void restRefusesBoundsKeysAndCallsWithoutTheToken() throws Exception {
    String key = files.create(1024);
    assertEquals(200, post(on, "/v2/systemsharedmemory/region/r/register",
        registerBody(key, 0, 1024), true).statusCode());
    HttpResponse<String> r = post(on, "/v2/models/" + MODEL + "/infer",
        restInfer(params("r", 1000, BYTES), null).toString(), false);
    assertEquals(400, r.statusCode());
    assertTrue(error(r).contains("input 'curve'") && error(r).contains("past the end"), r.body());
    r = post(on, "/v2/models/" + MODEL + "/infer",
        restInfer(params("r", 0, 7), null).toString(), false);
    assertEquals(400, r.statusCode());
    assertTrue(error(r).contains("needs " + BYTES + " bytes"), r.body());
    r = post(on, "/v2/models/" + MODEL + "/infer",
        restInfer(params("r", 0, BYTES), params("r", 512, 16)).toString(), false);
    assertEquals(400, r.statusCode());
    assertTrue(error(r).contains("output 'forecast'"), r.body());

    r = post(on, "/v2/systemsharedmemory/region/x/register", registerBody("/../etc/passwd", 0,
        8), true);
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(error(r).contains("like '/input_data'"), r.body());
    assertEquals(409, post(on, "/v2/systemsharedmemory/region/r/register",
        registerBody(key, 0, 8), true).statusCode());
    assertEquals(400, post(on, "/v2/systemsharedmemory/region/x/register",
        registerBody(key, 1000, 100), true).statusCode());
    assertEquals(401, post(on, "/v2/systemsharedmemory/region/x/register",
        registerBody(key, 0, 8), false).statusCode());
    assertEquals(401, post(on, "/v2/systemsharedmemory/unregister", null, false).statusCode());
    assertEquals(404, get(on, "/v2/systemsharedmemory/region/x/status").statusCode());
    assertEquals("[]", get(on, "/v2/cudasharedmemory/status").body());
    assertEquals(501, post(on, "/v2/cudasharedmemory/region/g/register",
        "{\"raw_handle\":{\"b64\":\"\"},\"device_id\":0,\"byte_size\":8}", true).statusCode());
    assertEquals(1, on.registry.status("").size());
  }

  @Test
  void streamInferUsesSharedMemoryToo() throws Exception {
    String key = files.create(1024);
    write(key, 0, le(input));
    register(on.admin, "s", key, 0, 1024);
    java.util.concurrent.LinkedBlockingQueue<Object> got =
        new java.util.concurrent.LinkedBlockingQueue<>();
    io.grpc.stub.StreamObserver<ModelInferRequest> requests =
        GRPCInferenceServiceGrpc.newStub(on.channel).modelStreamInfer(
            new io.grpc.stub.StreamObserver<>() {
              @Override
              public void onNext(io.mlserve.proto.inference.ModelStreamInferResponse r) {
                got.add(r);
              }

              @Override
              public void onError(Throwable t) {
                got.add(t);
              }

              @Override
              public void onCompleted() {
                got.add("done");
              }
            });
    requests.onNext(shmRequest("s", 0, BYTES, "s", 512, BYTES));
    requests.onCompleted();
    Object first = got.poll(30, TimeUnit.SECONDS);
    assertTrue(first instanceof io.mlserve.proto.inference.ModelStreamInferResponse,
        String.valueOf(first));
    var r = (io.mlserve.proto.inference.ModelStreamInferResponse) first;
    assertEquals("", r.getErrorMessage());
    assertFalse(r.getInferResponse().getOutputs(0).hasContents());
    ModelInferResponse raw = on.stub.modelInfer(ModelInferRequest.newBuilder()
        .setModelName(MODEL).addInputs(curve()).addRawInputContents(ByteString.copyFrom(le(input)))
        .build());
    assertArrayEquals(raw.getRawOutputContents(0).toByteArray(), read(key, 512, BYTES));
    assertEquals("done", got.poll(30, TimeUnit.SECONDS));
  }

  @Test
  void serverMetadataListsTheExtension() throws Exception {
    assertTrue(on.stub.serverMetadata(ServerMetadataRequest.getDefaultInstance())
        .getExtensionsList().contains("system_shared_memory"));
    assertTrue(MAPPER.readTree(get(off, "/v2").body()).get("extensions").toString()
        .contains("\"system_shared_memory\""));
  }

  @Test
  void withTheFeatureOffEveryUseIsRefusedClearly() throws Exception {
    String key = files.create(1024);
    StatusRuntimeException e = grpcRefusal(Status.Code.FAILED_PRECONDITION,
        () -> register(off.admin, "r", key, 0, 1024));
    assertTrue(e.getStatus().getDescription().contains("--system-shared-memory"));
    String m = grpcRefusal(Status.Code.INVALID_ARGUMENT,
        () -> off.stub.modelInfer(shmRequest("r", 0, BYTES, "r", 512, BYTES)))
        .getStatus().getDescription();
    assertTrue(m.contains("disabled"), m);
    HttpResponse<String> r = post(off, "/v2/systemsharedmemory/region/r/register",
        registerBody(key, 0, 1024), true);
    assertEquals(400, r.statusCode());
    assertTrue(error(r).contains("disabled"), r.body());
    r = post(off, "/v2/models/" + MODEL + "/infer",
        restInfer(params("r", 0, BYTES), null).toString(), false);
    assertEquals(400, r.statusCode());
    assertTrue(error(r).contains("disabled"), r.body());
    assertEquals("[]", get(off, "/v2/systemsharedmemory/status").body());
    assertEquals(0, off.stub.systemSharedMemoryStatus(
        SystemSharedMemoryStatusRequest.getDefaultInstance()).getRegionsCount());
  }
}
