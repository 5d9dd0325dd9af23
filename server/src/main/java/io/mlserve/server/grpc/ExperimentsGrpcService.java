package io.mlserve.server.grpc;

import io.grpc.stub.StreamObserver;
import io.mlserve.proto.serving.v1.AbReportRequest;
import io.mlserve.proto.serving.v1.AbReportResponse;
import io.mlserve.proto.serving.v1.ExperimentsGrpc;
import io.mlserve.proto.serving.v1.FeedbackRequest;
import io.mlserve.proto.serving.v1.FeedbackResponse;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.experiment.Experiments;
import java.util.Objects;

/**
 * The {@code mlserve.serving.v1.Experiments} gRPC service: decodes, calls {@link Experiments},
 * encodes with {@link ExperimentProtos}; failures become statuses through {@link GrpcErrors}
 * (unknown or expired ids NOT_FOUND, bad labels INVALID_ARGUMENT). Both calls are short and
 * run on the calling thread. Thread-safe.
 */
public final class ExperimentsGrpcService extends ExperimentsGrpc.ExperimentsImplBase {
  private final Experiments experiments;

  public ExperimentsGrpcService(Experiments experiments) {
    this.experiments = Objects.requireNonNull(experiments, "experiments");
  }

  @Override
  public void feedback(FeedbackRequest req, StreamObserver<FeedbackResponse> obs) {
    FeedbackResponse response;
    try {
      double[] label = req.getLabelCount() == 0 ? null
          : req.getLabelList().stream().mapToDouble(Double::doubleValue).toArray();
      Double reward = req.hasReward() ? req.getReward() : null;
      response = ExperimentProtos.feedback(
          experiments.feedback(req.getModel(), req.getRequestId(), label, reward));
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
      return;
    }
    obs.onNext(response);
    obs.onCompleted();
  }

  @Override
  public void abReport(AbReportRequest req, StreamObserver<AbReportResponse> obs) {
    AbReportResponse response;
    try {
      if (req.getModel().isBlank()) {
        throw InferenceException.invalid("model is missing");
      }
      response = ExperimentProtos.report(experiments.report(req.getModel()));
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
      return;
    }
    obs.onNext(response);
    obs.onCompleted();
  }
}
