package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.proto.inference.ModelMetadataRequest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EchoServerTest {
  private static EchoServer server;
  private static ManagedChannel channel;
  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    server = EchoServer.netty(new InetSocketAddress("127.0.0.1", 0)).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.stop();
  }

  static java.util.List<ModelInferRequest> pool(boolean raw) {
    Workload w = new Workload(java.util.List.of(new ModelInput("curve_forecaster", 1, "curve", 24,
        Inputs.generated(24, Workload.PER_MODEL))), 1);
    return java.util.List.of(InferRequests.pool(w, raw));
  }

  @Test
  void echoesTypedInputAsForecast() {
    ModelInferRequest request = pool(false).get(3);
    ModelInferResponse response = call(request);
    assertEquals("curve_forecaster", response.getModelName());
    assertEquals(EchoService.DEFAULT_VERSION, response.getModelVersion());
    assertEquals("3", response.getId());
    assertEquals(1, response.getOutputsCount());
    ModelInferResponse.InferOutputTensor out = response.getOutputs(0);
    assertEquals("forecast", out.getName());
    assertEquals("FP32", out.getDatatype());
    assertEquals(List.of(1L, 24L), out.getShapeList());
    assertEquals(request.getInputs(0).getContents().getFp32ContentsList(),
        out.getContents().getFp32ContentsList());
    assertEquals(0, response.getRawOutputContentsCount());
  }

  @Test
  void echoesRawInputAsRawOutput() {
    ModelInferRequest request = pool(true).get(0);
    ModelInferResponse response = call(request.toBuilder().setModelVersion("2.0.0").build());
    assertEquals("2.0.0", response.getModelVersion());
    assertEquals(List.of(1L, 24L), response.getOutputs(0).getShapeList());
    assertEquals(1, response.getRawOutputContentsCount());
    assertEquals(request.getRawInputContents(0), response.getRawOutputContents(0));
    assertEquals(0, response.getOutputs(0).getContents().getFp32ContentsCount());
  }

  @Test
  void rejectsRequestWithoutInputs() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> call(ModelInferRequest.newBuilder().setModelName("m").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }

  @Test
  void implementsOnlyModelInfer() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> stub.withDeadlineAfter(10, TimeUnit.SECONDS)
            .modelMetadata(ModelMetadataRequest.newBuilder().setName("m").build()));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
  }

  @Test
  void reportsItsBoundPort() {
    assertTrue(server.port() > 0);
  }

  private static ModelInferResponse call(ModelInferRequest request) {
    return stub.withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(request);
  }
}
