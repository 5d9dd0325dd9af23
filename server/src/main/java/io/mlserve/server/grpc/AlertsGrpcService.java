package io.mlserve.server.grpc;

import io.grpc.stub.StreamObserver;
import io.mlserve.proto.serving.v1.AlertsGrpc;
import io.mlserve.proto.serving.v1.ListAlertsRequest;
import io.mlserve.proto.serving.v1.ListAlertsResponse;
import io.mlserve.server.alerts.AlertService;
import java.util.Objects;
import java.util.function.Function;

/**
 * The {@code mlserve.serving.v1.Alerts} gRPC service: the alert report of this server
 * ({@link AlertService#report}, or a disabled one under {@code --no-alerts}), encoded by
 * {@link AlertProtos}. In memory and short: runs on the calling thread. Thread-safe.
 */
public final class AlertsGrpcService extends AlertsGrpc.AlertsImplBase {
  private final Function<String, AlertService.Report> reports;

  /** @param reports the report for a model (null: every alert) */
  public AlertsGrpcService(Function<String, AlertService.Report> reports) {
    this.reports = Objects.requireNonNull(reports, "reports");
  }

  @Override
  public void listAlerts(ListAlertsRequest req, StreamObserver<ListAlertsResponse> obs) {
    ListAlertsResponse r;
    try {
      r = AlertProtos.list(reports.apply(req.getModel().isBlank() ? null : req.getModel()));
    } catch (RuntimeException e) {
      obs.onError(GrpcErrors.toStatus(e));
      return;
    }
    obs.onNext(r);
    obs.onCompleted();
  }
}
