package io.mlserve.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import io.mlserve.store.Event;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The events of policies and approvals (documented field by field in {@code docs/events.md}).
 * An approval event carries the whole record as written ({@code approval}), and a policy event
 * the whole policy, so that a change a killed writer left before its commit point is finished
 * from the event alone. Stateless.
 */
public final class ApprovalEvents {
  /** A model's policy was set or cleared. */
  public static final String POLICY_CHANGED = "ml.model.policy_changed.v1";
  /** A version reached Staging under a policy: an evaluation should run (state EVALUATING). */
  public static final String EVALUATION_REQUESTED = "ml.model.evaluation_requested.v1";
  /** A verdict is in and a human decides (manual), or the veto window runs (hybrid). */
  public static final String APPROVAL_REQUESTED = "ml.model.approval_requested.v1";
  /** A version was approved (by a person, an override, the gates, or the veto window's end). */
  public static final String APPROVED = "ml.model.approved.v1";
  /** A version was rejected (by a person, or the gates). */
  public static final String REJECTED = "ml.model.rejected.v1";

  /** Every type that writes an approval record. */
  public static final Set<String> APPROVAL_TYPES = Set.of(EVALUATION_REQUESTED,
      APPROVAL_REQUESTED, APPROVED, REJECTED);

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ApprovalEvents() {}

  /** A policy change; {@code policyOrNull} null when cleared. */
  public static Event policyChanged(String model, Policy policyOrNull, Policy previousOrNull,
      String actor, String reason, long timestamp) {
    Map<String, JsonNode> f = new LinkedHashMap<>();
    f.put("mode", F.textNode(policyOrNull == null ? null : policyOrNull.mode().wireName()));
    f.put("previous_mode", F.textNode(previousOrNull == null ? null
        : previousOrNull.mode().wireName()));
    f.put("policy", policyOrNull == null ? NullNode.getInstance()
        : PolicyJson.toJson(policyOrNull));
    f.put("actor", F.textNode(actor));
    f.put("reason", F.textNode(reason));
    return new Event(POLICY_CHANGED, model, null, null, null, timestamp, 0, null, Map.of(), f);
  }

  /**
   * An approval change of type {@code type}: {@code next} the record as it will be written
   * (without its seq), {@code previous} its state before, {@code action} what happened
   * ({@code evaluation_requested}, {@code verdict}, or a decision's action).
   */
  public static Event approvalChanged(String type, Approval next, ApprovalState previous,
      String action, String stage, String runId, String actor, String comment, long timestamp) {
    Map<String, JsonNode> f = new LinkedHashMap<>();
    f.put("state", F.textNode(next.state().name()));
    f.put("previous_state", F.textNode(previous.name()));
    f.put("action", F.textNode(action));
    f.put("verdict", F.textNode(next.verdict() == null ? null : next.verdict().name()));
    f.put("evaluation_id", F.textNode(next.evaluationId()));
    f.put("actor", F.textNode(actor));
    f.put("comment", F.textNode(comment));
    f.put("approval", ApprovalJson.toJson(next));
    return new Event(type, next.model(), next.version(), stage, runId, timestamp, 0, null,
        Map.of(), f);
  }

  /** The policy a policy event records (null when it cleared the policy). */
  public static Policy policyOf(Event e) {
    JsonNode p = e.field("policy");
    return p == null || p.isNull() ? null : PolicyJson.parse(p);
  }

  /** The record an approval event records, with the event's seq. */
  public static Approval approvalOf(Event e) {
    return ApprovalJson.fromJson(e.field("approval")).withSeq(e.seq());
  }
}
