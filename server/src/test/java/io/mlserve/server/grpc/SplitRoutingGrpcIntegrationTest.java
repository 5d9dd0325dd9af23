package io.mlserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.mlserve.proto.inference.InferParameter;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Stage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 50/50 traffic split behind the real gRPC service on a loopback Netty port, with the real
 * demo model registered as 1.0.0 (Production) and 1.1.0: unkeyed requests reach both versions
 * and each answer names the version that answered; a routing key, from the
 * {@code x-mlserve-routing-key} metadata header or the OIP {@code routing_key} parameter, pins a
 * caller to one version; an explicit version bypasses the split; the response id is the
 * request's or one the server assigned.
 */
class SplitRoutingGrpcIntegrationTest {
  private static final String MODEL = "curve_forecaster";
  private static final Metadata.Key<String> KEY_HEADER =
      Metadata.Key.of("x-mlserve-routing-key", Metadata.ASCII_STRING_MARSHALLER);
  private static final double TOL = 1e-5;

  @TempDir static Path dir;
  private static ServerFixture fx;
  private static ManagedChannel channel;
  private static GRPCInferenceServiceBlockingStub stub;
  private static JsonNode examples;

  @BeforeAll
  static void start() throws Exception {
    fx = ServerFixture.loopback(dir, true);
    fx.registerDemo("1.0.0", true);
    fx.registerDemo("1.1.0", true);
    fx.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
    assertTrue(fx.server.start().isEmpty());
    fx.registry.setTraffic(MODEL, Map.of("1.0.0", 50.0, "1.1.0", 50.0), "test", "a/b");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (fx.server.router().arms(MODEL) == null && System.nanoTime() < deadline) {
      Thread.sleep(20); // bounded wait for the follower; not a correctness sleep
    }
    assertNotNull(fx.server.router().arms(MODEL), "the split was applied within 60 s");
    channel = fx.loopbackChannel();
    stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    examples = DemoModel.examples();
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
    }
    if (fx != null) {
      fx.close();
    }
  }

  private static ModelInferRequest.Builder request(int row) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (float v : DemoModel.row(examples.get("inputs"), row % examples.get("inputs").size())) {
      c.addFp32Contents(v);
    }
    return ModelInferRequest.newBuilder()
        .setModelName(MODEL)
        .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
            .addShape(1).addShape(24).setContents(c));
  }

  private static ModelInferRequest.Builder keyed(String key) {
    return request(0).putParameters("routing_key",
        InferParameter.newBuilder().setStringParam(key).build());
  }

  private static GRPCInferenceServiceBlockingStub withHeader(String key) {
    Metadata h = new Metadata();
    h.put(KEY_HEADER, key);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
  }

  private static void assertReference(ModelInferResponse resp, int row) {
    List<Float> got = resp.getOutputs(0).getContents().getFp32ContentsList();
    float[] want = DemoModel.row(examples.get("outputs"), row);
    assertEquals(want.length, got.size());
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got.get(i), TOL, "element " + i);
    }
  }

  /** The one version {@code n} requests sent by {@code call} reached (fails if more than one). */
  private static String pinnedVersion(java.util.function.Supplier<ModelInferResponse> call,
      int n, String what) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      seen.add(call.get().getModelVersion());
    }
    assertEquals(1, seen.size(), what + " reached " + seen);
    return seen.iterator().next();
  }

  @Test
  void unkeyedRequestsReachBothVersionsAndEachAnswerNamesItsVersion() {
    Experiments experiments = fx.server.experiments();
    Map<String, Integer> perVersion = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      int row = i % examples.get("inputs").size();
      ModelInferResponse r = stub.modelInfer(request(row).setId("unkeyed-" + i).build());
      assertEquals(MODEL, r.getModelName());
      assertEquals("unkeyed-" + i, r.getId());
      assertReference(r, row);
      perVersion.merge(r.getModelVersion(), 1, Integer::sum);
      // The version named is the one the server recorded as having answered this id.
      assertEquals(r.getModelVersion(),
          experiments.feedback(MODEL, r.getId(), null, 1.0).version(), r.getId());
    }
    assertEquals(Set.of("1.0.0", "1.1.0"), perVersion.keySet(), perVersion.toString());
    // 50/50 over 200: each arm far from 0 (P(< 50) is below 1e-12).
    assertTrue(perVersion.get("1.0.0") >= 50 && perVersion.get("1.1.0") >= 50,
        perVersion.toString());
  }

  @Test
  void theRoutingKeyHeaderPinsACallerAndKeysSpreadOverBothVersions() {
    Set<String> reached = new HashSet<>();
    for (int k = 0; k < 24; k++) {
      String key = "customer-" + k;
      reached.add(pinnedVersion(() -> withHeader(key).modelInfer(request(0).build()), 20,
          "header key " + key));
    }
    assertEquals(Set.of("1.0.0", "1.1.0"), reached, "24 header keys over a 50/50 split");
  }

  @Test
  void theRoutingKeyParameterPinsACallerLikeTheHeaderAndWinsOverIt() {
    Map<String, String> byParameter = new HashMap<>();
    for (int k = 0; k < 24; k++) {
      String key = "customer-" + k;
      byParameter.put(key, pinnedVersion(() -> stub.modelInfer(keyed(key).build()), 20,
          "parameter key " + key));
      // The same key through the header (so through the server's interceptor) lands alike.
      assertEquals(byParameter.get(key),
          withHeader(key).modelInfer(request(0).build()).getModelVersion(), key);
    }
    assertEquals(Set.of("1.0.0", "1.1.0"), new HashSet<>(byParameter.values()),
        "24 parameter keys over a 50/50 split");
    // Two keys pinned to different versions: the parameter wins over the header.
    String a = byParameter.entrySet().stream().filter(e -> e.getValue().equals("1.0.0"))
        .findFirst().orElseThrow().getKey();
    String b = byParameter.entrySet().stream().filter(e -> e.getValue().equals("1.1.0"))
        .findFirst().orElseThrow().getKey();
    assertEquals("1.0.0", withHeader(b).modelInfer(keyed(a).build()).getModelVersion());
    assertEquals("1.1.0", withHeader(a).modelInfer(keyed(b).build()).getModelVersion());
  }

  @Test
  void aRoutingKeyParameterThatIsNotAStringIsInvalidArgument() {
    for (InferParameter p : List.of(InferParameter.newBuilder().setInt64Param(5).build(),
        InferParameter.newBuilder().setBoolParam(true).build())) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> stub.modelInfer(request(0).putParameters("routing_key", p).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.toString());
      assertTrue(e.getStatus().getDescription().contains("routing_key"),
          e.getStatus().getDescription());
    }
  }

  @Test
  void anExplicitVersionBypassesTheSplit() {
    for (String v : List.of("1.0.0", "1.1.0")) {
      for (int k = 0; k < 24; k++) {
        String key = "customer-" + k;
        ModelInferResponse r = withHeader(key).modelInfer(
            keyed(key).setModelVersion(v).build());
        assertEquals(v, r.getModelVersion(), "version " + v + " asked with key " + key);
      }
      for (int i = 0; i < 20; i++) {
        assertEquals(v, stub.modelInfer(request(i).setModelVersion(v).build())
            .getModelVersion());
      }
    }
  }

  @Test
  void theResponseIdEchoesTheRequestsOrIsAssignedByTheServer() {
    assertEquals("client-id-7", stub.modelInfer(request(0).setId("client-id-7").build())
        .getId());
    Set<String> assigned = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      ModelInferResponse r = stub.modelInfer(request(0).build());
      assertTrue(r.getId().matches("[0-9a-f]{12}-[0-9a-z]+"), r.getId());
      assigned.add(r.getId());
      // The assigned id is the one the server recorded the prediction under.
      assertEquals(r.getModelVersion(),
          fx.server.experiments().feedback(MODEL, r.getId(), null, 0.5).version());
    }
    assertEquals(10, assigned.size(), "assigned ids are unique: " + assigned);
    assertNotEquals("", stub.modelInfer(request(0).setId("").build()).getId());
  }
}
