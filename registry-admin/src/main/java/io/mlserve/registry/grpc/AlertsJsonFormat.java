package io.mlserve.registry.grpc;

import com.fasterxml.jackson.core.JsonGenerator;
import io.mlserve.proto.serving.v1.Alert;
import io.mlserve.proto.serving.v1.AlertRuleInfo;
import io.mlserve.proto.serving.v1.AlertTransitionInfo;
import io.mlserve.proto.serving.v1.ListAlertsResponse;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON shape of the alert list ({@code mlserve.serving.v1.ListAlertsResponse}), written
 * by both the server's {@code GET /api/v1/alerts} and {@code mlctl alerts --output json}:
 * {@code {enabled, evaluating, interval_ms, evaluated_at_ms, active: [{alertname, state,
 * severity, model, version, value, threshold, labels, annotations, active_since_ms}], rules:
 * [{name, expr, window, for, severity, labels, annotations}], recent: [{alertname, model,
 * version, from, to, value, threshold, severity, labels, annotations, active_since_ms,
 * at_ms}]}}; {@code model} and {@code version} are null for process alerts, a value that is not
 * a finite number is null, {@code evaluated_at_ms} is null before the first evaluation; label
 * and annotation keys in order. Stateless; thread-safe.
 */
public final class AlertsJsonFormat {
  private AlertsJsonFormat() {}

  public static void list(JsonGenerator g, ListAlertsResponse r) throws IOException {
    g.writeStartObject();
    g.writeBooleanField("enabled", r.getEnabled());
    g.writeBooleanField("evaluating", r.getEvaluating());
    g.writeNumberField("interval_ms", r.getIntervalMs());
    g.writeFieldName("evaluated_at_ms");
    if (r.getEvaluatedAtMs() > 0) {
      g.writeNumber(r.getEvaluatedAtMs());
    } else {
      g.writeNull();
    }
    g.writeArrayFieldStart("active");
    for (Alert a : r.getActiveList()) {
      g.writeStartObject();
      g.writeStringField("alertname", a.getAlertname());
      g.writeStringField("state", a.getState());
      g.writeStringField("severity", a.getSeverity());
      scope(g, a.getModel(), a.getVersion());
      ExperimentsJsonFormat.number(g, "value", true, a.getValue());
      ExperimentsJsonFormat.number(g, "threshold", true, a.getThreshold());
      map(g, "labels", a.getLabelsMap());
      map(g, "annotations", a.getAnnotationsMap());
      g.writeNumberField("active_since_ms", a.getActiveSinceMs());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("rules");
    for (AlertRuleInfo rule : r.getRulesList()) {
      g.writeStartObject();
      g.writeStringField("name", rule.getName());
      g.writeStringField("expr", rule.getExpr());
      g.writeStringField("window", rule.getWindow());
      g.writeStringField("for", rule.getForDuration());
      g.writeStringField("severity", rule.getSeverity());
      map(g, "labels", rule.getLabelsMap());
      map(g, "annotations", rule.getAnnotationsMap());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("recent");
    for (AlertTransitionInfo t : r.getRecentList()) {
      g.writeStartObject();
      g.writeStringField("alertname", t.getAlertname());
      scope(g, t.getModel(), t.getVersion());
      g.writeStringField("from", t.getFrom());
      g.writeStringField("to", t.getTo());
      ExperimentsJsonFormat.number(g, "value", true, t.getValue());
      ExperimentsJsonFormat.number(g, "threshold", true, t.getThreshold());
      g.writeStringField("severity", t.getSeverity());
      map(g, "labels", t.getLabelsMap());
      map(g, "annotations", t.getAnnotationsMap());
      g.writeNumberField("active_since_ms", t.getActiveSinceMs());
      g.writeNumberField("at_ms", t.getAtMs());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void scope(JsonGenerator g, String model, String version) throws IOException {
    if (model.isEmpty()) {
      g.writeNullField("model");
      g.writeNullField("version");
    } else {
      g.writeStringField("model", model);
      g.writeStringField("version", version);
    }
  }

  private static void map(JsonGenerator g, String field, Map<String, String> m)
      throws IOException {
    g.writeObjectFieldStart(field);
    for (Map.Entry<String, String> e : new TreeMap<>(m).entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }
}
