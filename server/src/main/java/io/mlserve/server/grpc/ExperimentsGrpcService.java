package io.mlserve.server.grpc;

import io.grpc.stub.StreamObserver;
import io.mlserve.proto.serving.v1.AbReportRequest;
import io.mlserve.proto.serving.v1.AbReportResponse;
import io.mlserve.proto.serving.v1.ExperimentsGrpc;
import io.mlserve.proto.serving.v1.FeedbackRequest;
import io.mlserve.proto.serving.v1.FeedbackResponse;
import io.mlserve.proto.serving.v1.ShadowReportRequest;
import io.mlserve.proto.serving.v1.ShadowReportResponse;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.experiment.Experiments;
import io.mlserve.server.shadow.Shadows;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The {@code mlserve.serving.v1.Experiments} gRPC service: decodes, calls {@link Experiments}
 * (feedback, A/B report) or {@link Shadows} (shadow report), encodes with
 * {@link ExperimentProtos}; failures become statuses through {@link GrpcErrors} (unknown or
 * expired ids and models without a shadow NOT_FOUND, bad labels INVALID_ARGUMENT). Every call is
 * short and in memory, and runs on the calling thread. Thread-safe.
 */
public final class ExperimentsGrpcService extends ExperimentsGrpc.ExperimentsImplBase {
  private final Experiments experiments;
  private final Shadows shadows;

  public ExperimentsGrpcService(Experiments experiments, Shadows shadows) {
    this.experiments = Objects.requireNonNull(experiments, "experiments");
    this.shadows = Objects.requireNonNull(shadows, "shadows");
  }

  private static <T> void unary(StreamObserver<T> obs, Supplier<T> body) {
    T response;
    try {
      response = body.get();
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
      return;
    }
    obs.onNext(response);
    obs.onCompleted();
  }

  private static String model(String model) {
    if (model.isBlank()) {
      throw InferenceException.invalid("model is missing");
    }
    return model;
  }

  @Override
  public void feedback(FeedbackRequest req, StreamObserver<FeedbackResponse> obs) {
    unary(obs, () -> {
      double[] label = req.getLabelCount() == 0 ? null
          : req.getLabelList().stream().mapToDouble(Double::doubleValue).toArray();
      Double reward = req.hasReward() ? req.getReward() : null;
      return ExperimentProtos.feedback(
          experiments.feedback(req.getModel(), req.getRequestId(), label, reward));
    });
  }

  @Override
  public void abReport(AbReportRequest req, StreamObserver<AbReportResponse> obs) {
    unary(obs, () -> ExperimentProtos.report(experiments.report(model(req.getModel()))));
  }

  @Override
  public void shadowReport(ShadowReportRequest req, StreamObserver<ShadowReportResponse> obs) {
    unary(obs, () -> ExperimentProtos.shadowReport(shadows.report(model(req.getModel()))));
  }
}
