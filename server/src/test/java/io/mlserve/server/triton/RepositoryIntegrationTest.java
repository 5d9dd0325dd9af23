package io.mlserve.server.triton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ModelRepositoryParameter;
import io.mlserve.proto.inference.RepositoryIndexRequest;
import io.mlserve.proto.inference.RepositoryIndexResponse;
import io.mlserve.proto.inference.RepositoryModelLoadRequest;
import io.mlserve.proto.inference.RepositoryModelUnloadRequest;
import io.mlserve.proto.inference.ServerMetadataRequest;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.MlServer;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.http.HttpGateway;
import io.mlserve.server.http.HttpOptions;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triton's model repository extension over gRPC and REST against a real server on loopback
 * (Netty gRPC, the HTTP gateway, the demo model in a registry with an admin token): the index
 * with states, load and unload with and without the token, Production refused, a Deprecated
 * version loaded by name and then inferred.
 */
class RepositoryIntegrationTest {
  private static final String MODEL = "curve_forecaster";
  private static final String TOKEN = "s3cret";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static EventLog events;
  private static ModelRouter router;
  private static MlServer server;
  private static HttpGateway gateway;
  private static ManagedChannel channel;
  private static GRPCInferenceServiceBlockingStub open;
  private static GRPCInferenceServiceBlockingStub admin;
  private static HttpClient http;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    ModelStore store = ModelStore.open(dir);
    events = EventLog.open(store.root());
    ModelRegistry registry =
        new ModelRegistry(store, events, ArtifactValidator.none(), Clock.systemUTC());
    for (String v : List.of("1.0.0", "1.1.0", "1.2.0")) {
      RegisterRequest r =
          RegisterRequest.fromManifestFile(DemoModel.dir().resolve("model.json"), "test");
      registry.register(new RegisterRequest(r.model(), v, r.artifact(), r.format(),
          r.signature(), r.serving(), r.runId(), r.params(), r.metrics(), r.description(),
          null, r.actor()));
    }
    registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "first");
    registry.promote(MODEL, "1.1.0", Stage.PRODUCTION, "test", "second"); // 1.0.0: Deprecated
    router = new ModelRouter();
    ModelLoader loader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    server = MlServer.builder(NettyServerBuilder.forAddress(
            new InetSocketAddress("127.0.0.1", 0)), store, loader)
        .router(router).registry(registry).followEvents(false).adminToken(TOKEN).build();
    assertTrue(server.start().isEmpty());
    gateway = HttpGateway.builder(server.inference(), server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .admin(registry, server.coordinator()::statuses, TOKEN)
        .repository(server.repository())
        .build();
    base = "http://127.0.0.1:" + gateway.start();
    http = HttpClient.newHttpClient();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
        .build();
    open = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    Metadata auth = new Metadata();
    auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
        "Bearer " + TOKEN);
    admin = open.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    gateway.close();
    server.shutdown(5, TimeUnit.SECONDS);
    events.close();
  }

  private static Map<String, RepositoryIndexResponse.ModelIndex> index(boolean ready) {
    Map<String, RepositoryIndexResponse.ModelIndex> byVersion = new java.util.TreeMap<>();
    for (var m : open.repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(ready)
        .build()).getModelsList()) {
      assertEquals(MODEL, m.getName());
      byVersion.put(m.getVersion(), m);
    }
    return byVersion;
  }

  private static RepositoryModelLoadRequest load(String version) {
    RepositoryModelLoadRequest.Builder b = RepositoryModelLoadRequest.newBuilder()
        .setModelName(MODEL);
    if (version != null) {
      b.putParameters("version", ModelRepositoryParameter.newBuilder().setStringParam(version)
          .build());
    }
    return b.build();
  }

  private static RepositoryModelUnloadRequest unload(String version) {
    RepositoryModelUnloadRequest.Builder b = RepositoryModelUnloadRequest.newBuilder()
        .setModelName(MODEL)
        .putParameters("unload_dependents", ModelRepositoryParameter.newBuilder()
            .setBoolParam(true).build());
    if (version != null) {
      b.putParameters("version", ModelRepositoryParameter.newBuilder().setStringParam(version)
          .build());
    }
    return b.build();
  }

  private static Status.Code code(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  private static ModelInferResponse infer(String version) throws Exception {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (float v : DemoModel.row(DemoModel.examples().get("inputs"), 0)) {
      c.addFp32Contents(v);
    }
    return open.modelInfer(ModelInferRequest.newBuilder().setModelName(MODEL)
        .setModelVersion(version).setId("by-version")
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("curve")
            .setDatatype("FP32").addShape(1).addShape(24).setContents(c))
        .build());
  }

  private static HttpResponse<String> post(String path, String body, boolean token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token) {
      b.header("Authorization", "Bearer " + TOKEN);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void indexListsEveryRegisteredVersionWithItsState() {
    var all = index(false);
    assertEquals(List.of("1.0.0", "1.1.0", "1.2.0"), List.copyOf(all.keySet()));
    assertEquals("READY", all.get("1.1.0").getState());
    assertEquals("", all.get("1.1.0").getReason());
    assertEquals("UNAVAILABLE", all.get("1.0.0").getState());
    assertTrue(all.get("1.0.0").getReason().startsWith("Deprecated"), all.get("1.0.0")
        .getReason());
    assertEquals("UNAVAILABLE", all.get("1.2.0").getState());
    assertTrue(all.get("1.2.0").getReason().startsWith("Development"));
    assertEquals(List.of("1.1.0"), List.copyOf(index(true).keySet()));
    assertTrue(open.serverMetadata(ServerMetadataRequest.getDefaultInstance())
        .getExtensionsList().contains("model_repository"));
    assertEquals(Status.Code.NOT_FOUND, code(() -> open.repositoryIndex(
        RepositoryIndexRequest.newBuilder().setRepositoryName("elsewhere").build())));
  }

  @Test
  void grpcLoadsADeprecatedVersionByNameThenUnloadsIt() throws Exception {
    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> open.repositoryModelLoad(
        load("1.0.0"))));
    assertNull(router.loaded(MODEL, "1.0.0"), "refused without the token");
    admin.repositoryModelLoad(load("1.0.0"));
    assertEquals("READY", index(false).get("1.0.0").getState());
    ModelInferResponse byVersion = infer("1.0.0");
    assertEquals("1.0.0", byVersion.getModelVersion());
    assertEquals("by-version", byVersion.getId());
    assertEquals("1.1.0", infer("").getModelVersion(), "unversioned traffic stays on Production");

    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> open.repositoryModelUnload(
        unload("1.0.0"))));
    admin.repositoryModelUnload(unload("1.0.0"));
    assertNull(router.loaded(MODEL, "1.0.0"));
    assertEquals("UNAVAILABLE", index(false).get("1.0.0").getState());
    admin.repositoryModelUnload(unload("1.0.0")); // not loaded: nothing to do
  }

  @Test
  void grpcRefusesWhatTheRegistryHoldsOrDoesNotServe() {
    StatusRuntimeException prod = assertThrows(StatusRuntimeException.class,
        () -> admin.repositoryModelUnload(unload("1.1.0")));
    assertEquals(Status.Code.FAILED_PRECONDITION, prod.getStatus().getCode());
    assertTrue(prod.getStatus().getDescription().contains("Production"),
        prod.getStatus().getDescription());
    assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> admin.repositoryModelUnload(
        unload(null))), "the whole model: its Production version with it");
    assertEquals("READY", index(false).get("1.1.0").getState(), "still served");

    StatusRuntimeException dev = assertThrows(StatusRuntimeException.class,
        () -> admin.repositoryModelLoad(load("1.2.0")));
    assertEquals(Status.Code.FAILED_PRECONDITION, dev.getStatus().getCode());
    assertTrue(dev.getStatus().getDescription().contains("promote it to Staging"));
    assertEquals(Status.Code.NOT_FOUND, code(() -> admin.repositoryModelLoad(load("9.9.9"))));
    assertEquals(Status.Code.NOT_FOUND, code(() -> admin.repositoryModelLoad(
        RepositoryModelLoadRequest.newBuilder().setModelName("nope").build())));
    StatusRuntimeException config = assertThrows(StatusRuntimeException.class,
        () -> admin.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
            .setModelName(MODEL).putParameters("config", ModelRepositoryParameter.newBuilder()
                .setStringParam("{\"max_batch_size\": 8}").build()).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, config.getStatus().getCode());
    assertTrue(config.getStatus().getDescription().contains("'config' is not supported"));
    // Without a version: the Production version, already served.
    admin.repositoryModelLoad(load(null));
  }

  @Test
  void restIndexLoadAndUnload() throws Exception {
    HttpResponse<String> idx = post("/v2/repository/index", "{\"ready\": true}", false);
    assertEquals(200, idx.statusCode(), idx.body());
    JsonNode ready = JSON.readTree(idx.body());
    assertEquals(1, ready.size());
    assertEquals("1.1.0", ready.get(0).get("version").asText());
    assertEquals("READY", ready.get(0).get("state").asText());
    assertEquals(3, JSON.readTree(post("/v2/repository/index", "", false).body()).size());

    String loadPath = "/v2/repository/models/" + MODEL + "/load";
    String oldOne = "{\"parameters\": {\"version\": \"1.0.0\"}}";
    HttpResponse<String> noToken = post(loadPath, oldOne, false);
    assertEquals(401, noToken.statusCode());
    assertTrue(JSON.readTree(noToken.body()).get("error").asText().contains("token"));
    assertNull(router.loaded(MODEL, "1.0.0"));
    HttpResponse<String> loaded = post(loadPath, oldOne, true);
    assertEquals(200, loaded.statusCode(), loaded.body());
    assertEquals("1.0.0", router.loaded(MODEL, "1.0.0").version());

    String unloadPath = "/v2/repository/models/" + MODEL + "/unload";
    assertEquals(401, post(unloadPath, oldOne, false).statusCode());
    HttpResponse<String> prod = post(unloadPath,
        "{\"parameters\": {\"version\": \"1.1.0\", \"unload_dependents\": false}}", true);
    assertEquals(409, prod.statusCode());
    assertTrue(JSON.readTree(prod.body()).get("error").asText().contains("Production"));
    assertEquals(200, post(unloadPath, oldOne, true).statusCode());
    assertNull(router.loaded(MODEL, "1.0.0"));

    HttpResponse<String> config = post(loadPath, "{\"parameters\": {\"config\": \"{}\"}}", true);
    assertEquals(400, config.statusCode());
    assertTrue(JSON.readTree(config.body()).get("error").asText().contains("'config'"));
    assertEquals(400, post(loadPath, "{\"parameters\": {\"version\": 1.5}}", true).statusCode());
    assertEquals(400, post(loadPath, "{\"version\": \"1.0.0\"}", true).statusCode());
    assertEquals(404, post("/v2/repository/models/nope/load", "", true).statusCode());
  }
}
