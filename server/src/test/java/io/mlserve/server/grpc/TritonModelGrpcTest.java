package io.mlserve.server.grpc;

import static io.mlserve.server.testing.TimedFakeServing.INFER_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.mlserve.proto.inference.DataType;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferBatchStatistics;
import io.mlserve.proto.inference.InferStatistics;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelConfig;
import io.mlserve.proto.inference.ModelConfigRequest;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelStatistics;
import io.mlserve.proto.inference.ModelStatisticsRequest;
import io.mlserve.proto.inference.ServerMetadataRequest;
import io.mlserve.proto.inference.StatisticDuration;
import io.mlserve.server.testing.TimedFakeServing;
import io.mlserve.server.triton.TritonExtensions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ModelStatistics, ModelConfig and the extensions of ServerMetadata through a real gRPC server
 * (in-process transport), over versions whose engine time is known to the nanosecond.
 */
class TritonModelGrpcTest {
  private static final long INFER_NS = TimeUnit.MILLISECONDS.toNanos(INFER_MS);

  @TempDir Path dir;
  private TimedFakeServing serving;
  private Server server;
  private ManagedChannel channel;
  private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    serving = new TimedFakeServing(dir);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new InferenceGrpcService(serving.service, serving.state, "test"))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    serving.close();
  }

  private static ModelInferRequest request(String version, int rows, int columns) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    for (int i = 0; i < rows * columns; i++) {
      c.addFp32Contents(i);
    }
    return ModelInferRequest.newBuilder().setModelName("m").setModelVersion(version)
        .addInputs(InferInputTensor.newBuilder().setName("x").setDatatype("FP32")
            .addShape(rows).addShape(columns).setContents(c))
        .build();
  }

  private static StatisticDuration d(long count, long ns) {
    return StatisticDuration.newBuilder().setCount(count).setNs(ns).build();
  }

  private Status.Code code(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void statisticsCountWhatTheVersionServed() {
    stub.modelInfer(request("1.0.0", 1, 2));
    stub.modelInfer(request("1.0.0", 3, 2));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.modelInfer(request("1.0.0", 1, 5))));

    List<ModelStatistics> all = stub.modelStatistics(
        ModelStatisticsRequest.newBuilder().setName("m").setVersion("1.0.0").build())
        .getModelStatsList();
    assertEquals(1, all.size());
    ModelStatistics s = all.get(0);
    assertEquals("m", s.getName());
    assertEquals("1.0.0", s.getVersion());
    assertEquals(TimedFakeServing.NOW.toEpochMilli(), s.getLastInference());
    assertEquals(4, s.getInferenceCount(), "rows");
    assertEquals(2, s.getExecutionCount());
    InferStatistics want = InferStatistics.newBuilder()
        .setSuccess(d(2, 2 * INFER_NS))
        .setFail(d(1, 0))
        .setQueue(d(2, 0))
        .setComputeInput(d(2, 0))
        .setComputeInfer(d(2, 2 * INFER_NS))
        .setComputeOutput(d(2, 0))
        .setCacheHit(d(0, 0))
        .setCacheMiss(d(0, 0))
        .build();
    assertEquals(want, s.getInferenceStats());
    assertEquals(List.of(
        InferBatchStatistics.newBuilder().setBatchSize(1).setComputeInput(d(1, 0))
            .setComputeInfer(d(1, INFER_NS)).setComputeOutput(d(1, 0)).build(),
        InferBatchStatistics.newBuilder().setBatchSize(3).setComputeInput(d(1, 0))
            .setComputeInfer(d(1, INFER_NS)).setComputeOutput(d(1, 0)).build()),
        s.getBatchStatsList());
  }

  @Test
  void everyLoadedVersionWhenNoneIsNamed() {
    stub.modelInfer(request("2.0.0", 2, 2));
    List<ModelStatistics> m = stub.modelStatistics(
        ModelStatisticsRequest.newBuilder().setName("m").build()).getModelStatsList();
    assertEquals(List.of("1.0.0", "2.0.0"), m.stream().map(ModelStatistics::getVersion).toList());
    assertEquals(0, m.get(0).getInferenceCount());
    assertEquals(0, m.get(0).getLastInference());
    assertEquals(2, m.get(1).getInferenceCount());
    assertEquals(2, stub.modelStatistics(ModelStatisticsRequest.getDefaultInstance())
        .getModelStatsCount(), "every model");
    assertEquals("1.0.0", stub.modelStatistics(ModelStatisticsRequest.newBuilder()
        .setName("m").setVersion("production").build()).getModelStats(0).getVersion());
  }

  @Test
  void whatIsNotLoadedIsNotFound() {
    assertEquals(Status.Code.NOT_FOUND, code(() -> stub.modelStatistics(
        ModelStatisticsRequest.newBuilder().setName("m").setVersion("9.9.9").build())));
    assertEquals(Status.Code.NOT_FOUND, code(() -> stub.modelStatistics(
        ModelStatisticsRequest.newBuilder().setName("nope").build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> stub.modelStatistics(
        ModelStatisticsRequest.newBuilder().setVersion("1.0.0").build())));
    assertEquals(Status.Code.NOT_FOUND, code(() -> stub.modelConfig(
        ModelConfigRequest.newBuilder().setName("m").setVersion("9.9.9").build())));
  }

  @Test
  void modelConfigDescribesTheServedVersion() {
    ModelConfig c = stub.modelConfig(ModelConfigRequest.newBuilder().setName("m").build())
        .getConfig();
    assertEquals("m", c.getName());
    assertEquals(64, c.getMaxBatchSize());
    assertEquals("x", c.getInput(0).getName());
    assertEquals(DataType.TYPE_FP32, c.getInput(0).getDataType());
    assertEquals(List.of(2L), c.getInput(0).getDimsList());
    assertEquals("y", c.getOutput(0).getName());
    assertEquals(List.of(2L), c.getOutput(0).getDimsList());
    assertEquals(1024, c.getDynamicBatching().getDefaultQueuePolicy().getMaxQueueSize());
    assertEquals(1, c.getInstanceGroup(0).getCount());
  }

  @Test
  void serverMetadataListsTheImplementedExtensions() {
    List<String> got = stub.serverMetadata(ServerMetadataRequest.getDefaultInstance())
        .getExtensionsList();
    assertEquals(TritonExtensions.IMPLEMENTED, got);
    assertEquals(true, got.contains("statistics") && got.contains("model_configuration"));
  }
}
