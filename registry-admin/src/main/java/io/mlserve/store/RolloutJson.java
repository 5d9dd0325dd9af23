package io.mlserve.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a {@link Rollout}, as {@code deployment.json} and the rollout events hold it:
 *
 * <pre>{@code
 * {"candidate": "1.3.0", "stable": "1.2.0", "steps": [5.0, 25.0, 50.0, 100.0],
 *  "bake_ms": 60000,
 *  "thresholds": {"max_error_rate": 0.01, "max_p95_ms": 200.0, "min_requests": 100,
 *                 "max_divergence": null, "max_feedback_regression": null,
 *                 "min_feedback": 30},
 *  "pause_at": null, "step": 0, "state": "RUNNING", "step_started_at": 1640995200000,
 *  "extensions": 0, "last_analysis": null, "abort_reason": null}
 * }</pre>
 *
 * Every key is written, {@code null} when it has no value. A section written before the
 * feedback check existed has no {@code max_feedback_regression} or {@code min_feedback}: it
 * reads as no feedback check ({@code min_feedback} 30). Stateless and thread-safe.
 */
public final class RolloutJson {
  private RolloutJson() {}

  /** The rollout as a JSON object. */
  public static ObjectNode toJson(Rollout r) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("candidate", r.candidate());
    o.put("stable", r.stable());
    ArrayNode steps = o.putArray("steps");
    r.steps().forEach(steps::add);
    o.put("bake_ms", r.bakeMillis());
    ObjectNode t = o.putObject("thresholds");
    t.put("max_error_rate", r.thresholds().maxErrorRate());
    t.put("max_p95_ms", r.thresholds().maxP95Ms());
    t.put("min_requests", r.thresholds().minRequests());
    t.put("max_divergence", r.thresholds().maxDivergence());
    t.put("max_feedback_regression", r.thresholds().maxFeedbackRegression());
    t.put("min_feedback", r.thresholds().minFeedback());
    o.put("pause_at", r.pauseAt());
    o.put("step", r.step());
    o.put("state", r.state().name());
    o.put("step_started_at", r.stepStartedAt());
    o.put("extensions", r.extensions());
    o.put("last_analysis", r.lastAnalysis());
    o.put("abort_reason", r.abortReason());
    return o;
  }

  /**
   * Parses a rollout section.
   *
   * @throws IllegalArgumentException naming the key that is missing or wrong
   */
  public static Rollout fromJson(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("is not a JSON object");
    }
    JsonNode stepsNode = n.get("steps");
    if (stepsNode == null || !stepsNode.isArray()) {
      throw new IllegalArgumentException("steps is not an array of weights");
    }
    List<Double> steps = new ArrayList<>();
    for (JsonNode s : stepsNode) {
      if (!s.isNumber()) {
        throw new IllegalArgumentException("steps holds '" + Names.printable(s.asText())
            + "', not a number");
      }
      steps.add(s.doubleValue());
    }
    JsonNode t = n.get("thresholds");
    if (t == null || !t.isObject()) {
      throw new IllegalArgumentException("thresholds is not an object");
    }
    Rollout.Thresholds thresholds = new Rollout.Thresholds(number(t, "max_error_rate"),
        number(t, "max_p95_ms"), integer(t, "min_requests"), optionalNumber(t, "max_divergence"),
        optionalNumber(t, "max_feedback_regression"), t.hasNonNull("min_feedback")
            ? integer(t, "min_feedback") : Rollout.Thresholds.DEFAULT_MIN_FEEDBACK);
    return new Rollout(text(n, "candidate"), text(n, "stable"), steps, integer(n, "bake_ms"),
        thresholds, optionalNumber(n, "pause_at"), (int) integer(n, "step"),
        Rollout.State.parse(text(n, "state")), integer(n, "step_started_at"),
        (int) integer(n, "extensions"), optionalText(n, "last_analysis"),
        optionalText(n, "abort_reason"));
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(key + " is missing or not a string");
    }
    return v.asText();
  }

  private static String optionalText(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static double number(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException(key + " is missing or not a number");
    }
    return v.doubleValue();
  }

  private static Double optionalNumber(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? null : number(n, key);
  }

  private static long integer(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(key + " is missing or not an integer");
    }
    return v.asLong();
  }
}
