package io.mlserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ModelMetadataRequest;
import io.mlserve.proto.inference.ModelMetadataResponse;
import io.mlserve.proto.inference.ModelReadyRequest;
import io.mlserve.proto.inference.ServerLiveRequest;
import io.mlserve.proto.inference.ServerMetadataRequest;
import io.mlserve.proto.inference.ServerReadyRequest;
import io.mlserve.server.MlServer;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.ModelStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real TorchScript demo model behind the real gRPC service, in process: outputs must match
 * the reference outputs committed with the model.
 */
class InferenceServiceIntegrationTest {
  private static final String MODEL = "curve_forecaster";
  private static final double TOL = 1e-5;

  @TempDir static Path storeDir;
  private static MlServer server;
  private static ManagedChannel channel;
  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;
  private static JsonNode examples;

  @BeforeAll
  static void start() throws Exception {
    ModelStore store = DemoModel.productionStore(storeDir);
    ModelLoader loader =
        new ModelLoader(List.of(new DjlEngine()), Ticker.system(), Function.identity(),
            new MetricsRegistry(), Telemetry.disabled());
    String name = InProcessServerBuilder.generateName();
    server = MlServer.builder(InProcessServerBuilder.forName(name).directExecutor(), store,
        loader).build();
    assertTrue(server.start().isEmpty());
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    examples = DemoModel.examples();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow();
    server.shutdown(5, TimeUnit.SECONDS);
  }

  private static ModelInferRequest.Builder typedRequest(int fromRow, int rows) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (int r = fromRow; r < fromRow + rows; r++) {
      for (float v : DemoModel.row(examples.get("inputs"), r)) {
        c.addFp32Contents(v);
      }
    }
    return ModelInferRequest.newBuilder()
        .setModelName(MODEL)
        .setId("req-" + fromRow)
        .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
            .addShape(rows).addShape(24).setContents(c));
  }

  private static void assertMatchesReference(float[] got, int fromRow, int rows) {
    assertEquals(rows * 24, got.length);
    for (int r = 0; r < rows; r++) {
      float[] want = DemoModel.row(examples.get("outputs"), fromRow + r);
      for (int i = 0; i < 24; i++) {
        assertEquals(want[i], got[r * 24 + i], TOL, "row " + (fromRow + r) + " element " + i);
      }
    }
  }

  private static float[] typedOutput(ModelInferResponse resp) {
    var list = resp.getOutputs(0).getContents().getFp32ContentsList();
    float[] f = new float[list.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = list.get(i);
    }
    return f;
  }

  @Test
  void typedContentsMatchReferenceOutputs() {
    int rows = examples.get("inputs").size();
    ModelInferResponse resp = stub.modelInfer(typedRequest(0, rows).build());
    assertEquals(MODEL, resp.getModelName());
    assertEquals("1.0.0", resp.getModelVersion());
    assertEquals("req-0", resp.getId());
    assertEquals("forecast", resp.getOutputs(0).getName());
    assertEquals("FP32", resp.getOutputs(0).getDatatype());
    assertEquals(List.of((long) rows, 24L), resp.getOutputs(0).getShapeList());
    assertEquals(0, resp.getRawOutputContentsCount());
    assertMatchesReference(typedOutput(resp), 0, rows);
  }

  @Test
  void rawContentsAnswerRaw() {
    int rows = 3;
    ByteBuffer buf = ByteBuffer.allocate(rows * 24 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < rows; r++) {
      for (float v : DemoModel.row(examples.get("inputs"), 5 + r)) {
        buf.putFloat(v);
      }
    }
    ModelInferRequest req = ModelInferRequest.newBuilder()
        .setModelName(MODEL).setModelVersion("1.0.0")
        .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
            .addShape(rows).addShape(24))
        .addRawInputContents(ByteString.copyFrom(buf.array()))
        .build();
    ModelInferResponse resp = stub.modelInfer(req);
    assertEquals(1, resp.getRawOutputContentsCount());
    assertFalse(resp.getOutputs(0).hasContents());
    float[] got = new float[rows * 24];
    resp.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer().get(got);
    assertMatchesReference(got, 5, rows);
  }

  @Test
  void concurrentSingleRowRequestsAreBatchedAndEachGetsItsOwnRow() throws Exception {
    var async = GRPCInferenceServiceGrpc.newStub(channel);
    int n = 400;
    int rows = examples.get("inputs").size();
    CountDownLatch done = new CountDownLatch(n);
    List<Throwable> errors = new ArrayList<>();
    float[][] results = new float[n][];
    for (int i = 0; i < n; i++) {
      int idx = i;
      async.modelInfer(typedRequest(i % rows, 1).build(), new StreamObserver<>() {
        @Override
        public void onNext(ModelInferResponse r) {
          results[idx] = typedOutput(r);
        }

        @Override
        public void onError(Throwable t) {
          synchronized (errors) {
            errors.add(t);
          }
          done.countDown();
        }

        @Override
        public void onCompleted() {
          done.countDown();
        }
      });
    }
    assertTrue(done.await(60, TimeUnit.SECONDS));
    assertTrue(errors.isEmpty(), () -> "errors: " + errors);
    for (int i = 0; i < n; i++) {
      assertMatchesReference(results[i], i % rows, 1);
    }
  }

  private static Status.Code codeOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  private static String errorOf(ModelInferRequest req) {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(req));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(),
        e.getStatus().getDescription());
    return e.getStatus().getDescription();
  }

  @Test
  void unknownModelAndVersionAreNotFoundAndNamed() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> stub.modelInfer(typedRequest(0, 1).setModelName("nope").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("nope"));
    e = assertThrows(StatusRuntimeException.class,
        () -> stub.modelInfer(typedRequest(0, 1).setModelVersion("9.9.9").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("9.9.9"));
    assertEquals(Status.Code.NOT_FOUND, codeOf(() -> stub.modelMetadata(
        ModelMetadataRequest.newBuilder().setName("nope").build())));
  }

  @Test
  void badInputsAreInvalidArgumentSayingWhatWasExpected() {
    ModelInferRequest good = typedRequest(0, 1).build();
    String msg = errorOf(good.toBuilder()
        .setInputs(0, good.getInputs(0).toBuilder().setName("prices")).build());
    assertTrue(msg.contains("prices") && msg.contains("curve"), msg);
    msg = errorOf(good.toBuilder()
        .setInputs(0, good.getInputs(0).toBuilder().setDatatype("FP64")).build());
    assertTrue(msg.contains("FP64"), msg);
    msg = errorOf(good.toBuilder()
        .setInputs(0, good.getInputs(0).toBuilder().setShape(1, 23)).build());
    assertTrue(msg.contains("24") && msg.contains("23"), msg);
    msg = errorOf(good.toBuilder()
        .setInputs(0, good.getInputs(0).toBuilder().clearShape().addShape(2).addShape(24))
        .build());
    assertTrue(msg.contains("48") && msg.contains("24"), msg);
    msg = errorOf(good.toBuilder()
        .setInputs(0, good.getInputs(0).toBuilder().clearContents())
        .addRawInputContents(ByteString.copyFrom(new byte[95])).build());
    assertTrue(msg.contains("96") && msg.contains("95"), msg);
    msg = errorOf(good.toBuilder()
        .setInputs(0, good.getInputs(0).toBuilder().setDatatype("STRINGS")).build());
    assertTrue(msg.contains("STRINGS"), msg);
    msg = errorOf(good.toBuilder().addOutputs(
        ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("nonesuch")).build());
    assertTrue(msg.contains("nonesuch") && msg.contains("forecast"), msg);
    // The model still serves after all of that.
    assertMatchesReference(typedOutput(stub.modelInfer(good)), 0, 1);
  }

  @Test
  void metadataAndReadiness() {
    ModelMetadataResponse md =
        stub.modelMetadata(ModelMetadataRequest.newBuilder().setName(MODEL).build());
    assertEquals(MODEL, md.getName());
    assertEquals(List.of("1.0.0"), md.getVersionsList());
    assertEquals("pytorch_libtorch", md.getPlatform());
    assertEquals("curve", md.getInputs(0).getName());
    assertEquals(List.of(-1L, 24L), md.getInputs(0).getShapeList());
    assertEquals("forecast", md.getOutputs(0).getName());
    assertTrue(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    assertTrue(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
    assertTrue(stub.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).build()).getReady());
    assertEquals("mlserve", stub.serverMetadata(ServerMetadataRequest.getDefaultInstance())
        .getName());
  }

  @Test
  void healthServiceReportsServerAndModel() {
    var health = HealthGrpc.newBlockingStub(channel);
    assertEquals(ServingStatus.SERVING,
        health.check(HealthCheckRequest.newBuilder().setService("").build()).getStatus());
    assertEquals(ServingStatus.SERVING,
        health.check(HealthCheckRequest.newBuilder().setService(MODEL).build()).getStatus());
    assertEquals(Status.Code.NOT_FOUND, codeOf(() ->
        health.check(HealthCheckRequest.newBuilder().setService("nope").build())));
  }

  @Test
  void reflectionListsTheInferenceService() throws Exception {
    var reflection = ServerReflectionGrpc.newStub(channel);
    AtomicReference<ServerReflectionResponse> got = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    StreamObserver<ServerReflectionRequest> req = reflection.serverReflectionInfo(
        new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse r) {
            got.set(r);
          }

          @Override
          public void onError(Throwable t) {
            done.countDown();
          }

          @Override
          public void onCompleted() {
            done.countDown();
          }
        });
    req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    req.onCompleted();
    assertTrue(done.await(10, TimeUnit.SECONDS));
    List<String> names = got.get().getListServicesResponse().getServiceList().stream()
        .map(s -> s.getName()).toList();
    assertTrue(names.contains("inference.GRPCInferenceService"), names.toString());
    assertTrue(names.contains("grpc.health.v1.Health"), names.toString());
  }
}
