package io.mlserve.approval;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlserve.store.Names;
import io.mlserve.store.Rollout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON form of a {@link Policy}, as users write it and {@code policy.json} holds it:
 *
 * <pre>{@code
 * {"mode": "hybrid", "datasets": ["holdout"],
 *  "gates": [{"metric": "rmse", "max_ratio": 1.0},
 *            {"metric": "p95_ms", "max": 120},
 *            {"metric": "cost", "direction": "lower_is_better", "max_increase": 0.5}],
 *  "veto_window": "1h", "four_eyes": true, "on_pass": "promote"}
 * }</pre>
 *
 * <p>Reading is strict: an unknown or repeated field, a value of the wrong type, or a broken
 * rule is refused with a {@link PolicyException} naming the field. Writing gives every field
 * (defaults filled in), so what {@code policy show --output json} prints can be set again as it
 * is. Stateless; thread-safe.
 */
public final class PolicyJson {
  /** The largest policy document accepted. */
  public static final int MAX_BYTES = 64 * 1024;
  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Set<String> TOP = Set.of("mode", "datasets", "gates", "veto_window",
      "four_eyes", "on_pass", "rollout", "metrics");
  private static final Set<String> ROLLOUT = Set.of("steps", "bake", "max_error_rate",
      "max_p95_ms", "min_requests", "max_divergence", "pause_at");

  private PolicyJson() {}

  /**
   * Parses a policy document.
   *
   * @throws PolicyException if it is not JSON, too large, or breaks a rule
   */
  public static Policy parse(byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      throw new PolicyException("the policy is larger than 64 KiB");
    }
    JsonNode n;
    try {
      n = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new PolicyException("the policy is not valid JSON: " + e.getOriginalMessage()
          + " (line " + e.getLocation().getLineNr() + ")");
    } catch (java.io.IOException e) {
      throw new PolicyException("the policy cannot be read: " + e.getMessage());
    }
    return parse(n);
  }

  /** As {@link #parse(byte[])}, from text. */
  public static Policy parse(String text) {
    return parse(text.getBytes(StandardCharsets.UTF_8));
  }

  /** As {@link #parse(byte[])}, from a parsed tree. */
  public static Policy parse(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new PolicyException("the policy must be a JSON object");
    }
    known(n, TOP, "the policy");
    ApprovalMode mode = ApprovalMode.parse(text(n, "mode", true));
    JsonNode ds = n.get("datasets");
    if (ds == null || !ds.isArray()) {
      throw new PolicyException("datasets is required: an array of dataset names, e.g."
          + " [\"holdout\"]");
    }
    List<String> datasets = new ArrayList<>();
    for (JsonNode d : ds) {
      if (!d.isTextual()) {
        throw new PolicyException("datasets: every entry must be a dataset name (a string)");
      }
      datasets.add(d.asText());
    }
    List<Gate> gates = new ArrayList<>();
    JsonNode gs = n.get("gates");
    if (gs != null && !gs.isNull()) {
      if (!gs.isArray()) {
        throw new PolicyException("gates must be an array of gates");
      }
      for (int i = 0; i < gs.size(); i++) {
        gates.add(gate(gs.get(i), "gates[" + i + "]"));
      }
    }
    String veto = text(n, "veto_window", false);
    JsonNode fe = n.get("four_eyes");
    if (fe != null && !fe.isNull() && !fe.isBoolean()) {
      throw new PolicyException("four_eyes must be true or false");
    }
    String on = text(n, "on_pass", false);
    Policy.OnPass onPass = null;
    if (on != null) {
      onPass = switch (on) {
        case "promote" -> Policy.OnPass.PROMOTE;
        case "rollout" -> Policy.OnPass.ROLLOUT;
        default -> throw new PolicyException("on_pass '" + Names.printable(on)
            + "' is not one of promote, rollout");
      };
    }
    return new Policy(mode, datasets, gates,
        veto == null ? null : Durations.parse("veto_window", veto),
        fe != null && fe.asBoolean(), onPass, rollout(n.get("rollout")),
        metrics(n.get("metrics")));
  }

  private static List<io.mlserve.evaluation.CustomMetric> metrics(JsonNode ms) {
    if (ms == null || ms.isNull()) {
      return List.of();
    }
    if (!ms.isArray()) {
      throw new PolicyException("metrics must be an array of {\"name\", \"expression\"}, e.g."
          + " [{\"name\": \"cost\", \"expression\": \"pred > label ? 3 * (pred - label) :"
          + " label - pred\"}]");
    }
    List<io.mlserve.evaluation.CustomMetric> out = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      JsonNode m = ms.get(i);
      String where = "metrics[" + i + "]";
      if (m == null || !m.isObject()) {
        throw new PolicyException(where + " must be an object with 'name' and 'expression'");
      }
      known(m, Set.of("name", "expression"), where);
      String name = text(m, "name", false);
      String expression = text(m, "expression", false);
      if (name == null || expression == null) {
        throw new PolicyException(where + ": 'name' and 'expression' are required");
      }
      try {
        out.add(new io.mlserve.evaluation.CustomMetric(name, expression));
      } catch (IllegalArgumentException e) {
        throw new PolicyException(where + ": " + e.getMessage());
      }
    }
    return out;
  }

  private static Gate gate(JsonNode g, String where) {
    if (g == null || !g.isObject()) {
      throw new PolicyException(where + " must be an object, e.g. {\"metric\": \"rmse\","
          + " \"max_ratio\": 1.0}");
    }
    Set<String> fields = new java.util.HashSet<>(Set.of("metric", "direction"));
    for (Bound b : Bound.values()) {
      fields.add(b.field());
    }
    known(g, fields, where);
    String metric = text(g, "metric", false);
    if (metric == null) {
      throw new PolicyException(where + ": 'metric' is required (e.g. \"rmse\")");
    }
    String dir = text(g, "direction", false);
    Map<Bound, Double> bounds = new EnumMap<>(Bound.class);
    for (Bound b : Bound.values()) {
      JsonNode v = g.get(b.field());
      if (v != null && !v.isNull()) {
        if (!v.isNumber()) {
          throw new PolicyException("gate " + metric + ": " + b.field() + " must be a number");
        }
        bounds.put(b, v.doubleValue());
      }
    }
    return new Gate(metric, dir == null ? null : Direction.parse(dir), bounds);
  }

  private static RolloutSettings rollout(JsonNode r) {
    if (r == null || r.isNull()) {
      return null;
    }
    if (!r.isObject()) {
      throw new PolicyException("rollout must be an object of rollout settings");
    }
    known(r, ROLLOUT, "rollout");
    List<Double> steps = null;
    JsonNode s = r.get("steps");
    if (s != null && !s.isNull()) {
      if (!s.isArray()) {
        throw new PolicyException("rollout: steps must be an array of percentages, e.g."
            + " [5, 25, 50, 100]");
      }
      steps = new ArrayList<>();
      for (JsonNode w : s) {
        if (!w.isNumber()) {
          throw new PolicyException("rollout: steps must hold numbers");
        }
        steps.add(w.doubleValue());
      }
    }
    String bake = text(r, "bake", false);
    Rollout.Thresholds d = Rollout.Thresholds.DEFAULTS;
    Rollout.Thresholds t;
    try {
      Double minRequests = number(r, "min_requests");
      if (minRequests != null && minRequests != Math.rint(minRequests)) {
        throw new PolicyException("rollout: min_requests must be a whole number");
      }
      Double maxError = number(r, "max_error_rate");
      Double maxP95 = number(r, "max_p95_ms");
      t = new Rollout.Thresholds(maxError == null ? d.maxErrorRate() : maxError,
          maxP95 == null ? d.maxP95Ms() : maxP95,
          minRequests == null ? d.minRequests() : minRequests.longValue(),
          r.has("max_divergence") ? number(r, "max_divergence") : d.maxDivergence());
    } catch (PolicyException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new PolicyException("rollout: " + e.getMessage());
    }
    return new RolloutSettings(steps, bake == null ? null : Durations.parse("rollout: bake",
        bake), t, number(r, "pause_at"));
  }

  /** The document for {@code p}, every field written. */
  public static ObjectNode toJson(Policy p) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("mode", p.mode().wireName());
    ArrayNode ds = o.putArray("datasets");
    p.datasets().forEach(ds::add);
    ArrayNode gs = o.putArray("gates");
    for (Gate g : p.gates()) {
      ObjectNode go = gs.addObject();
      go.put("metric", g.metric());
      go.put("direction", g.direction().wireName());
      g.bounds().forEach((b, v) -> go.put(b.field(), v));
    }
    if (p.vetoWindow() == null) {
      o.putNull("veto_window");
    } else {
      o.put("veto_window", Durations.format(p.vetoWindow()));
    }
    o.put("four_eyes", p.fourEyes());
    ArrayNode ms = o.putArray("metrics");
    p.metrics().forEach(m -> ms.addObject().put("name", m.name())
        .put("expression", m.expression()));
    o.put("on_pass", p.onPass().wireName());
    RolloutSettings r = p.rollout();
    if (r == null) {
      o.putNull("rollout");
    } else {
      ObjectNode ro = o.putObject("rollout");
      ArrayNode steps = ro.putArray("steps");
      (r.steps() == null ? Rollout.DEFAULT_STEPS : r.steps()).forEach(steps::add);
      ro.put("bake", Durations.format(r.bake() == null ? Duration.ofSeconds(60) : r.bake()));
      Rollout.Thresholds t = r.thresholds() == null ? Rollout.Thresholds.DEFAULTS
          : r.thresholds();
      ro.put("max_error_rate", t.maxErrorRate());
      ro.put("max_p95_ms", t.maxP95Ms());
      ro.put("min_requests", t.minRequests());
      ro.put("max_divergence", t.maxDivergence());
      ro.put("pause_at", r.pauseAt());
    }
    return o;
  }

  /** The document for {@code p} as pretty-printed UTF-8, newline-terminated. */
  public static byte[] bytes(Policy p) {
    try {
      return (MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(p)) + "\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a policy", e);
    }
  }

  private static void known(JsonNode n, Set<String> fields, String where) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!fields.contains(f)) {
        throw new PolicyException(where + ": unknown field '" + Names.printable(f)
            + "'; allowed: " + String.join(", ", new java.util.TreeSet<>(fields)));
      }
    }
  }

  private static String text(JsonNode n, String field, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new PolicyException(field + " is required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new PolicyException(field + " must be a string");
    }
    return v.asText();
  }

  private static Double number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw new PolicyException("rollout: " + field + " must be a number");
    }
    return v.doubleValue();
  }
}
