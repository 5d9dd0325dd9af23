package io.mlserve.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ServerReadyRequest;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.testing.DemoModel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller's set-up (the demo's datasets and drift references) runs while the server already
 * answers with warmed models; the server reports ready on every surface only once it is done.
 */
class MlServerReadyAfterTest {
  @TempDir Path storeDir;

  @Test
  void answersDuringTheSetUpAndReportsReadyOnlyAfterIt() throws Exception {
    ModelLoader loader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    String name = InProcessServerBuilder.generateName();
    CompletableFuture<Void> setup = new CompletableFuture<>();
    MlServer server = MlServer.builder(InProcessServerBuilder.forName(name).directExecutor(),
        DemoModel.productionStore(storeDir), loader).readyAfter(setup).build();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      assertTrue(server.start().isEmpty());
      var inference = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      var health = HealthGrpc.newBlockingStub(channel);
      assertFalse(server.state().ready());
      assertFalse(inference.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
      assertEquals(ServingStatus.NOT_SERVING,
          health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
      InferTensorContents.Builder c = InferTensorContents.newBuilder();
      for (int i = 0; i < 24; i++) {
        c.addFp32Contents(60f);
      }
      assertEquals(1, inference.modelInfer(ModelInferRequest.newBuilder()
          .setModelName("curve_forecaster").addInputs(InferInputTensor.newBuilder()
              .setName("curve").setDatatype("FP32").addShape(1).addShape(24).setContents(c))
          .build()).getOutputsCount());

      setup.completeExceptionally(new IllegalStateException("a dataset could not be added"));

      assertTrue(server.state().ready());
      assertTrue(inference.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
      assertEquals(ServingStatus.SERVING,
          health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
    } finally {
      channel.shutdownNow();
      server.shutdown(0, TimeUnit.SECONDS);
    }
  }
}
