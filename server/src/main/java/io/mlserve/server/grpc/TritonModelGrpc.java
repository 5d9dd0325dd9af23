package io.mlserve.server.grpc;

import io.grpc.stub.StreamObserver;
import io.mlserve.proto.inference.ModelConfigRequest;
import io.mlserve.proto.inference.ModelConfigResponse;
import io.mlserve.proto.inference.ModelStatisticsRequest;
import io.mlserve.proto.inference.ModelStatisticsResponse;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.triton.ModelStatisticsReport;
import io.mlserve.server.triton.TritonModelConfig;
import java.util.function.Supplier;

/**
 * The gRPC side of Triton's statistics and model configuration extensions: {@link
 * InferenceGrpcService} hands {@code ModelStatistics} and {@code ModelConfig} here. Errors map as
 * for every other method ({@link GrpcErrors}: a model or version that is not loaded is
 * NOT_FOUND).
 *
 * <p>Thread-safe.
 */
final class TritonModelGrpc {
  private final ModelStatisticsReport statistics;
  private final TritonModelConfig configs;

  TritonModelGrpc(InferenceService service) {
    this.statistics = new ModelStatisticsReport(service);
    this.configs = new TritonModelConfig(service);
  }

  void modelStatistics(ModelStatisticsRequest req, StreamObserver<ModelStatisticsResponse> obs) {
    unary(obs, () -> statistics.report(req.getName(), req.getVersion()));
  }

  void modelConfig(ModelConfigRequest req, StreamObserver<ModelConfigResponse> obs) {
    unary(obs, () -> ModelConfigResponse.newBuilder()
        .setConfig(configs.config(req.getName(), req.getVersion())).build());
  }

  /** Answers a unary call with what {@code answer} returns, or its failure as a status. */
  static <T> void unary(StreamObserver<T> obs, Supplier<T> answer) {
    T response;
    try {
      response = answer.get();
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
      return;
    }
    obs.onNext(response);
    obs.onCompleted();
  }
}
