package io.mlserve.server.http.inference;

import io.mlserve.registry.grpc.AlertsJsonFormat;
import io.mlserve.server.alerts.AlertService;
import io.mlserve.server.grpc.AlertProtos;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The alerts over REST: {@code GET /api/v1/alerts[?model=M]} — the active alerts with state,
 * value, threshold, labels, annotations and since when, the rules in force and the recent
 * transitions; the same report and JSON as the gRPC {@code mlserve.serving.v1.Alerts/ListAlerts}
 * and {@code mlctl alerts --output json} ({@link AlertsJsonFormat}). In memory and cheap:
 * answers on the event loop. This class is thread-safe.
 */
public final class AlertsApi {
  private final Function<String, AlertService.Report> reports;

  /** @param reports the report for a model (null: every alert) */
  public AlertsApi(Function<String, AlertService.Report> reports) {
    this.reports = Objects.requireNonNull(reports, "reports");
  }

  public void register(Routes routes) {
    routes.add("GET", "/api/v1/alerts", c -> {
      String model = c.queryParam("model");
      return CompletableFuture.completedFuture(HttpReply.json(200, Json.write(g ->
          AlertsJsonFormat.list(g, AlertProtos.list(reports.apply(
              model == null || model.isBlank() ? null : model))))));
    });
  }
}
