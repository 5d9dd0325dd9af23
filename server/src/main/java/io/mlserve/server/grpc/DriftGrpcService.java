package io.mlserve.server.grpc;

import io.grpc.stub.StreamObserver;
import io.mlserve.proto.serving.v1.DriftGrpc;
import io.mlserve.proto.serving.v1.GetDriftRequest;
import io.mlserve.proto.serving.v1.GetDriftResponse;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.drift.DriftMonitor;
import java.util.Objects;

/**
 * The {@code mlserve.serving.v1.Drift} gRPC service: the latest drift report of a model from
 * {@link DriftMonitor}, encoded by {@link DriftProtos}; an unknown model or version is
 * NOT_FOUND through {@link GrpcErrors}. In memory and short: runs on the calling thread.
 * Thread-safe.
 */
public final class DriftGrpcService extends DriftGrpc.DriftImplBase {
  private final DriftMonitor drift;

  public DriftGrpcService(DriftMonitor drift) {
    this.drift = Objects.requireNonNull(drift, "drift");
  }

  @Override
  public void getDrift(GetDriftRequest req, StreamObserver<GetDriftResponse> obs) {
    GetDriftResponse response;
    try {
      if (req.getModel().isBlank()) {
        throw InferenceException.invalid("model is missing");
      }
      response = DriftProtos.report(drift.report(req.getModel(),
          req.hasVersion() && !req.getVersion().isBlank() ? req.getVersion() : null));
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
      return;
    }
    obs.onNext(response);
    obs.onCompleted();
  }
}
