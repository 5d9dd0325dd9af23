package io.mlserve.server.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlserve.store.Event;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The events an alert transition appends: {@value #FIRING} when an alert starts firing,
 * {@value #RESOLVED} when a firing alert resolves. {@code model_name} and {@code version} name
 * the served version (null for a process alert); {@code timestamp} is the transition's time;
 * {@code stage}, {@code run_id} and {@code previous_version} are null. Further fields
 * {@code alertname}, {@code severity}, {@code state} ({@code firing} or {@code resolved}),
 * {@code value} (the signal's value; null when not a finite number, e.g. no data on resolve),
 * {@code threshold}, {@code labels}, {@code annotations} and {@code active_since} (epoch ms when
 * the condition became true). Documented in docs/events.md. Stateless.
 */
public final class AlertEvents {
  public static final String FIRING = "ml.alert.firing.v1";
  public static final String RESOLVED = "ml.alert.resolved.v1";

  private AlertEvents() {}

  /** Whether a transition appends an event (to FIRING or to RESOLVED). */
  public static boolean appends(AlertTransition t) {
    return t.to() == AlertState.FIRING || t.to() == AlertState.RESOLVED;
  }

  /** The event of {@code t}; call only when {@link #appends} holds. */
  public static Event of(AlertTransition t) {
    if (!appends(t)) {
      throw new IllegalArgumentException("a transition to " + t.to() + " appends no event");
    }
    JsonNodeFactory f = JsonNodeFactory.instance;
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    fields.put("alertname", f.textNode(t.rule()));
    fields.put("severity", f.textNode(t.severity()));
    fields.put("state", f.textNode(t.to().wireName()));
    fields.put("value", number(t.value()));
    fields.put("threshold", number(t.threshold()));
    fields.put("labels", object(t.labels()));
    fields.put("annotations", object(t.annotations()));
    fields.put("active_since", f.numberNode(t.activeSinceMillis()));
    return new Event(t.to() == AlertState.FIRING ? FIRING : RESOLVED, t.scope().model(),
        t.scope().version(), null, null, t.atMillis(), 0, null, Map.of(), fields);
  }

  private static JsonNode number(double v) {
    return Double.isFinite(v) ? JsonNodeFactory.instance.numberNode(v)
        : JsonNodeFactory.instance.nullNode();
  }

  private static ObjectNode object(Map<String, String> m) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    new TreeMap<>(m).forEach(o::put);
    return o;
  }
}
