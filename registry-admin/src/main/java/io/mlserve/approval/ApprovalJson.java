package io.mlserve.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlserve.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JSON form of an {@link Approval}, as {@code approval.json}, the approval events and the
 * admin APIs carry it:
 *
 * <pre>{@code
 * {"model": "curve_forecaster", "version": "1.1.0", "state": "PENDING_APPROVAL",
 *  "mode": "hybrid", "evaluation_id": "ev-1", "datasets": ["holdout"],
 *  "baseline_version": "1.0.0", "verdict": "PASSED",
 *  "gates": [{"metric": "rmse", "bound": "rmse <= 1 x baseline", "candidate": 0.41,
 *             "baseline": 0.45, "ratio": 0.911, "delta": -0.04, "status": "PASSED",
 *             "reason": "..."}],
 *  "veto_deadline": 1640998800000, "then": "promote",
 *  "decisions": [{"action": "approve", "actor": "bob", "comment": "ok", "at": 1640995200000}],
 *  "seq": 42, "updated_at": 1640995200000}
 * }</pre>
 *
 * Every field is always written ({@code null} when it has no value). Stateless; thread-safe.
 */
public final class ApprovalJson {
  private ApprovalJson() {}

  /** The record as a tree. */
  public static ObjectNode toJson(Approval a) {
    ObjectNode o = PolicyJson.MAPPER.createObjectNode();
    o.put("model", a.model());
    o.put("version", a.version());
    o.put("state", a.state().name());
    o.put("mode", a.mode() == null ? null : a.mode().wireName());
    o.put("evaluation_id", a.evaluationId());
    ArrayNode ds = o.putArray("datasets");
    a.datasets().forEach(ds::add);
    o.put("baseline_version", a.baselineVersion());
    o.put("verdict", a.verdict() == null ? null : a.verdict().name());
    ArrayNode gs = o.putArray("gates");
    for (GateResult g : a.gates()) {
      ObjectNode go = gs.addObject();
      go.put("metric", g.metric());
      go.put("bound", g.bound());
      go.put("candidate", g.candidate());
      go.put("baseline", g.baseline());
      go.put("ratio", g.ratio());
      go.put("delta", g.delta());
      go.put("status", g.status().name());
      go.put("reason", g.reason());
    }
    o.put("veto_deadline", a.vetoDeadline());
    o.put("then", a.then() == null ? null : a.then().wireName());
    ArrayNode ds2 = o.putArray("decisions");
    for (Decision d : a.decisions()) {
      ObjectNode d0 = ds2.addObject();
      d0.put("action", d.action().wireName());
      d0.put("actor", d.actor());
      d0.put("comment", d.comment());
      d0.put("at", d.at());
    }
    o.put("seq", a.seq());
    o.put("updated_at", a.updatedAt());
    return o;
  }

  /**
   * The record in {@code n}.
   *
   * @throws StoreException if it is not an approval record
   */
  public static Approval fromJson(JsonNode n) {
    try {
      List<String> datasets = new ArrayList<>();
      n.path("datasets").forEach(d -> datasets.add(d.asText()));
      List<GateResult> gates = new ArrayList<>();
      for (JsonNode g : n.path("gates")) {
        gates.add(new GateResult(g.get("metric").asText(), text(g, "bound"),
            number(g, "candidate"), number(g, "baseline"), number(g, "ratio"),
            number(g, "delta"), GateResult.Status.valueOf(g.get("status").asText()),
            text(g, "reason")));
      }
      List<Decision> decisions = new ArrayList<>();
      for (JsonNode d : n.path("decisions")) {
        decisions.add(new Decision(Decision.Action.parse(d.get("action").asText()),
            d.get("actor").asText(), text(d, "comment"), d.path("at").asLong()));
      }
      String mode = text(n, "mode");
      String verdict = text(n, "verdict");
      String then = text(n, "then");
      JsonNode deadline = n.get("veto_deadline");
      return new Approval(n.get("model").asText(), n.get("version").asText(),
          ApprovalState.valueOf(n.get("state").asText()),
          mode == null ? null : ApprovalMode.parse(mode), text(n, "evaluation_id"), datasets,
          text(n, "baseline_version"), verdict == null ? null : Verdict.valueOf(verdict), gates,
          deadline == null || deadline.isNull() ? null : deadline.asLong(),
          then == null ? null : Policy.OnPass.valueOf(then.toUpperCase(Locale.ROOT)), decisions,
          n.path("seq").asLong(), n.path("updated_at").asLong());
    } catch (RuntimeException e) {
      throw new StoreException("not an approval record: " + e.getMessage(), e);
    }
  }

  /** The record as pretty-printed UTF-8, newline-terminated. */
  public static byte[] bytes(Approval a) {
    try {
      return (PolicyJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(a))
          + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode an approval record", e);
    }
  }

  private static String text(JsonNode n, String f) {
    JsonNode v = n.get(f);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Double number(JsonNode n, String f) {
    JsonNode v = n.get(f);
    return v == null || v.isNull() ? null : v.asDouble();
  }
}
