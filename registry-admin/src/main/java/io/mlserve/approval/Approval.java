package io.mlserve.approval;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A version's approval record ({@code versions/<v>/approval.json}): its state, the evaluation
 * that informed it and the gates' verdict, the veto deadline (hybrid), what follows an automatic
 * approval, and every decision in order. Immutable; the {@code with*} methods return changed
 * copies.
 *
 * @param model the model
 * @param version the version
 * @param state where it is
 * @param mode the policy's mode when the record last changed, or null (state NONE)
 * @param evaluationId the evaluation behind the verdict, or null
 * @param datasets the datasets the evaluation runs on (empty before one was asked for)
 * @param baselineVersion the version the candidate is compared with (Production when the
 *     evaluation was asked for), or null if there was none
 * @param verdict the gates' verdict, or null before one is in
 * @param gates one result per gate bound (empty before a verdict)
 * @param vetoDeadline hybrid: when a passing version is approved unless rejected (epoch ms), else
 *     null
 * @param then what an automatic approval does next ({@code promote} / {@code rollout}), or null
 *     (manual mode: a human promotes)
 * @param decisions every decision, oldest first
 * @param seq the seq of the event of the change that wrote this record (0: never written)
 * @param updatedAt when the record last changed (epoch ms)
 */
public record Approval(String model, String version, ApprovalState state, ApprovalMode mode,
    String evaluationId, List<String> datasets, String baselineVersion, Verdict verdict,
    List<GateResult> gates, Long vetoDeadline, Policy.OnPass then, List<Decision> decisions,
    long seq, long updatedAt) {

  public Approval {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(state, "state");
    datasets = datasets == null ? List.of() : List.copyOf(datasets);
    gates = gates == null ? List.of() : List.copyOf(gates);
    decisions = decisions == null ? List.of() : List.copyOf(decisions);
  }

  /** The record of a version never evaluated under a policy. */
  public static Approval none(String model, String version) {
    return new Approval(model, version, ApprovalState.NONE, null, null, null, null, null, null,
        null, null, null, 0, 0);
  }

  /** An evaluation was asked for: EVALUATING, the verdict and deadline cleared. */
  public Approval evaluating(ApprovalMode m, List<String> ds, String baseline, long now) {
    return new Approval(model, version, ApprovalState.EVALUATING, m, null, ds, baseline, null,
        null, null, null, decisions, seq, now);
  }

  /** A verdict is in ({@code to} the state it leads to). */
  public Approval judged(ApprovalState to, ApprovalMode m, String evaluation, String baseline,
      GateReport report, Long deadline, Policy.OnPass next, long now) {
    return new Approval(model, version, to, m, evaluation, datasets, baseline, report.verdict(),
        report.results(), deadline, next, decisions, seq, now);
  }

  /** In state {@code to} after {@code d}; the veto deadline ends with any decision. */
  public Approval decided(ApprovalState to, Decision d, Policy.OnPass next) {
    List<Decision> all = new ArrayList<>(decisions);
    all.add(d);
    return new Approval(model, version, to, mode, evaluationId, datasets, baselineVersion,
        verdict, gates, null, next, all, seq, d.at());
  }

  /** As written by the change whose event has {@code newSeq}. */
  public Approval withSeq(long newSeq) {
    return new Approval(model, version, state, mode, evaluationId, datasets, baselineVersion,
        verdict, gates, vetoDeadline, then, decisions, newSeq, updatedAt);
  }

  /** The last decision, or null. */
  public Decision lastDecision() {
    return decisions.isEmpty() ? null : decisions.get(decisions.size() - 1);
  }
}
