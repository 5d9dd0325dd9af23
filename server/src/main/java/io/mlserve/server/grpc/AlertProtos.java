package io.mlserve.server.grpc;

import io.mlserve.proto.serving.v1.Alert;
import io.mlserve.proto.serving.v1.AlertRuleInfo;
import io.mlserve.proto.serving.v1.AlertTransitionInfo;
import io.mlserve.proto.serving.v1.ListAlertsResponse;
import io.mlserve.server.alerts.AlertRule;
import io.mlserve.server.alerts.AlertService;
import io.mlserve.server.alerts.AlertTransition;
import io.mlserve.server.alerts.PromDurations;

/**
 * The alert report as {@code mlserve.serving.v1.ListAlertsResponse}, for the gRPC service and
 * for {@code GET /api/v1/alerts} (written as JSON by {@code AlertsJsonFormat}). A process
 * alert's model and version are empty. Stateless.
 */
public final class AlertProtos {
  private AlertProtos() {}

  public static ListAlertsResponse list(AlertService.Report r) {
    ListAlertsResponse.Builder b = ListAlertsResponse.newBuilder().setEnabled(r.enabled())
        .setEvaluating(r.evaluating()).setIntervalMs(r.intervalMillis())
        .setEvaluatedAtMs(r.evaluatedAtMillis());
    for (AlertTransition t : r.active()) {
      b.addActive(Alert.newBuilder().setAlertname(t.rule()).setState(t.to().wireName())
          .setSeverity(t.severity()).setModel(orEmpty(t.scope().model()))
          .setVersion(orEmpty(t.scope().version())).setValue(t.value())
          .setThreshold(t.threshold()).putAllLabels(t.labels())
          .putAllAnnotations(t.annotations()).setActiveSinceMs(t.activeSinceMillis()));
    }
    for (AlertRule rule : r.rules()) {
      b.addRules(AlertRuleInfo.newBuilder().setName(rule.name()).setExpr(rule.expr())
          .setWindow(PromDurations.format(rule.window()))
          .setForDuration(PromDurations.format(rule.forDuration()))
          .setSeverity(rule.severity()).putAllLabels(rule.labels())
          .putAllAnnotations(rule.annotations()));
    }
    for (AlertTransition t : r.recent()) {
      b.addRecent(AlertTransitionInfo.newBuilder().setAlertname(t.rule())
          .setModel(orEmpty(t.scope().model())).setVersion(orEmpty(t.scope().version()))
          .setFrom(t.from().wireName()).setTo(t.to().wireName()).setValue(t.value())
          .setThreshold(t.threshold()).setSeverity(t.severity()).putAllLabels(t.labels())
          .putAllAnnotations(t.annotations()).setActiveSinceMs(t.activeSinceMillis())
          .setAtMs(t.atMillis()));
    }
    return b.build();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
