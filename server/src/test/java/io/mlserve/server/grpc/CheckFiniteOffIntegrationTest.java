package io.mlserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.server.MlServer;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.ModelStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --check-finite=false}: NaN inputs reach the model (which may read them as missing). */
class CheckFiniteOffIntegrationTest {
  @TempDir Path storeDir;

  @Test
  void withTheCheckOffNaNInputsAreServed() throws Exception {
    ModelStore store = DemoModel.productionStore(storeDir);
    ModelLoader loader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    String name = InProcessServerBuilder.generateName();
    MlServer server = MlServer.builder(InProcessServerBuilder.forName(name).directExecutor(),
        store, loader).checkFinite(false).build();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      assertTrue(server.start().isEmpty());
      InferTensorContents.Builder c = InferTensorContents.newBuilder();
      for (int i = 0; i < 24; i++) {
        c.addFp32Contents(i == 3 ? Float.NaN : 60f);
      }
      ModelInferResponse r = GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(
          ModelInferRequest.newBuilder().setModelName("curve_forecaster")
              .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
                  .addShape(1).addShape(24).setContents(c)).build());
      assertEquals(24, r.getOutputs(0).getContents().getFp32ContentsCount());
      assertTrue(Float.isNaN(r.getOutputs(0).getContents().getFp32Contents(0)),
          "the NaN went through the model");
    } finally {
      channel.shutdownNow();
      server.shutdown(5, TimeUnit.SECONDS);
    }
  }
}
