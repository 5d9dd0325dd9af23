package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.approval.Approval;
import io.mlserve.approval.ApprovalEvents;
import io.mlserve.approval.ApprovalState;
import io.mlserve.approval.Decision;
import io.mlserve.approval.EvaluationRequest;
import io.mlserve.approval.PolicyJson;
import io.mlserve.approval.Verdict;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Rollout;
import io.mlserve.store.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The approval state machine of each mode, the promotion gate, four eyes and restarts. */
class ApprovalChangesTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final String M = "curve_forecaster";
  private static final Map<String, Double> BASE = Map.of("rmse", 0.50, "p95_ms", 40.0);
  private static final Map<String, Double> BETTER = Map.of("rmse", 0.40, "p95_ms", 42.0);
  private static final Map<String, Double> WORSE = Map.of("rmse", 0.60, "p95_ms", 42.0);

  @TempDir Path tmp;
  private Path root;
  private ModelStore store;
  private EventLog events;
  private ModelRegistry registry;
  private ApprovalChanges approvals;
  private final TestClock clock = new TestClock(T0);
  private final List<Event> delivered = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("store");
    store = ModelStore.open(root);
    events = EventLog.open(root);
    events.subscribe(delivered::add);
    registry = new ModelRegistry(store, events, ArtifactValidator.none(), clock);
    approvals = registry.approvals();
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    for (String v : List.of("1.0.0", "1.1.0")) {
      registry.register(new RegisterRequest(M, v, artifact, "torchscript",
          HaltingWriterMain.SIG, null, null, null, null, null, null, "alice"));
    }
    registry.promote(M, "1.0.0", Stage.PRODUCTION, "alice", null);
  }

  @AfterEach
  void tearDown() {
    events.close();
  }

  private void policy(String json) {
    approvals.setPolicy(M, PolicyJson.parse(json), "alice", null);
  }

  private static final String GATES = "\"gates\": [{\"metric\": \"rmse\", \"max_ratio\": 1.0},"
      + " {\"metric\": \"p95_ms\", \"max\": 120}]";

  /** 1.1.0 to Staging, evaluation asked for and recorded with {@code metrics}. */
  private Approval stageAndEvaluate(Map<String, Double> metrics) {
    registry.promote(M, "1.1.0", Stage.STAGING, "alice", null);
    EvaluationRequest req = approvals.beginEvaluation(M, "1.1.0", "server");
    assertTrue(req.wanted());
    assertEquals("1.0.0", req.baselineVersion());
    assertEquals(ApprovalState.EVALUATING, approvals.approval(M, "1.1.0").state());
    return approvals.recordEvaluation(M, "1.1.0", "ev-1", metrics, BASE, "evaluator");
  }

  private List<String> types() {
    return delivered.stream().map(Event::eventType).toList();
  }

  @Test
  void withoutAPolicyNothingChanges() {
    EvaluationRequest req = approvals.beginEvaluation(M, "1.1.0", "server");
    assertFalse(req.wanted());
    assertFalse(Files.exists(root.resolve(M + "/versions/1.1.0/approval.json")));
    int before = delivered.size();
    registry.promote(M, "1.1.0", Stage.PRODUCTION, "alice", null);
    assertEquals(Stage.PRODUCTION, registry.stageOf(M, "1.1.0"));
    assertEquals(List.of(Event.PROMOTED), types().subList(before, delivered.size()));
  }

  @Test
  void aRolloutOfAnUnapprovedVersionIsRefusedLikeItsPromotion() {
    policy("{\"mode\": \"manual\", \"datasets\": [\"holdout\"], " + GATES + "}");
    ApprovalRequiredException e = assertThrows(ApprovalRequiredException.class,
        () -> registry.startRollout(M, RolloutPlan.of("1.1.0"), "alice", "canary"));
    assertTrue(e.getMessage().startsWith(M + " 1.1.0 has no approval"), e.getMessage());
    approvals.approve(M, "1.1.0", "bob", null, true, "reviewed by hand");
    assertEquals("1.1.0", registry.startRollout(M, RolloutPlan.of("1.1.0"), "alice", "canary")
        .rollout().candidate());
  }

  @Test
  void automaticPassIsApprovedAndPromoted() {
    policy("{\"mode\": \"automatic\", \"datasets\": [\"holdout\"], " + GATES + "}");
    Approval a = stageAndEvaluate(BETTER);
    assertEquals(ApprovalState.APPROVED, a.state());
    assertEquals(Verdict.PASSED, a.verdict());
    assertEquals(Decision.Action.AUTO_APPROVE, a.lastDecision().action());
    assertEquals(Stage.PRODUCTION, registry.stageOf(M, "1.1.0"));
    assertEquals(Stage.DEPRECATED, registry.stageOf(M, "1.0.0"));
    List<String> t = types();
    assertEquals(List.of(ApprovalEvents.EVALUATION_REQUESTED, ApprovalEvents.APPROVED,
        Event.PROMOTED), t.subList(t.size() - 3, t.size()));
    Event approved = delivered.get(delivered.size() - 2);
    assertEquals("PASSED", approved.field("verdict").asText());
    assertEquals("evaluator", approved.field("actor").asText());
    assertEquals(ApprovalState.APPROVED, approvals.approval(M, "1.1.0").state());
  }

  @Test
  void automaticFailIsRejectedWithTheGateAndStaysInStaging() {
    policy("{\"mode\": \"automatic\", \"datasets\": [\"holdout\"], " + GATES + "}");
    Approval a = stageAndEvaluate(WORSE);
    assertEquals(ApprovalState.REJECTED, a.state());
    assertEquals(Stage.STAGING, registry.stageOf(M, "1.1.0"));
    Event rejected = delivered.get(delivered.size() - 1);
    assertEquals(ApprovalEvents.REJECTED, rejected.eventType());
    assertEquals("verdict FAILED on evaluation ev-1: rmse 0.6 vs baseline 0.5 (ratio 1.2)"
        + " breaks rmse <= 1 x baseline", rejected.field("comment").asText());
    ApprovalRequiredException e = assertThrows(ApprovalRequiredException.class,
        () -> registry.promote(M, "1.1.0", Stage.PRODUCTION, "alice", null));
    assertTrue(e.getMessage().startsWith("curve_forecaster 1.1.0 has no approval, which the"
        + " model's automatic policy requires for Production: it was rejected (state REJECTED,"
        + " auto_reject by evaluator: verdict FAILED"), e.getMessage());
    assertTrue(e.getMessage().endsWith("approve it anyway with `mlctl approve --model"
        + " curve_forecaster --version 1.1.0 --override --reason ...`"), e.getMessage());
  }

  @Test
  void manualWaitsThenApprovalAllowsPromotion() {
    policy("{\"mode\": \"manual\", \"datasets\": [\"holdout\"], " + GATES + "}");
    Approval a = stageAndEvaluate(BETTER);
    assertEquals(ApprovalState.PENDING_APPROVAL, a.state());
    assertEquals(ApprovalEvents.APPROVAL_REQUESTED, types().get(types().size() - 1));
    ApprovalRequiredException refused = assertThrows(ApprovalRequiredException.class,
        () -> registry.promote(M, "1.1.0", Stage.PRODUCTION, "alice", null));
    assertEquals("curve_forecaster 1.1.0 has no approval, which the model's manual policy"
        + " requires for Production: it waits for a decision (state PENDING_APPROVAL, gates"
        + " PASSED); approve it with `mlctl approve --model curve_forecaster --version 1.1.0"
        + " --comment ...`", refused.getMessage());
    Approval ok = approvals.approve(M, "1.1.0", "bob", "looks good", false, null);
    assertEquals(ApprovalState.APPROVED, ok.state());
    assertEquals(new Decision(Decision.Action.APPROVE, "bob", "looks good", T0.toEpochMilli()),
        ok.lastDecision());
    assertEquals(Stage.STAGING, registry.stageOf(M, "1.1.0")); // manual: a human promotes
    registry.promote(M, "1.1.0", Stage.PRODUCTION, "bob", null);
    assertEquals(Stage.PRODUCTION, registry.stageOf(M, "1.1.0"));
    HistoryEntry h = registry.history(M).stream().filter(e -> e.toStage().equals("APPROVED"))
        .findFirst().orElseThrow();
    assertEquals("bob", h.actor());
    assertEquals("approve: looks good", h.reason());
    // rollback is not gated
    registry.rollback(M, "alice", null);
    assertEquals(Stage.PRODUCTION, registry.stageOf(M, "1.0.0"));
  }

  @Test
  void manualPromoteOfANeverEvaluatedVersionIsRefused() {
    policy("{\"mode\": \"manual\", \"datasets\": [\"holdout\"]}");
    ApprovalRequiredException e = assertThrows(ApprovalRequiredException.class,
        () -> registry.promote(M, "1.1.0", Stage.PRODUCTION, "alice", null));
    assertTrue(e.getMessage().contains("it was never evaluated (state NONE)"), e.getMessage());
    registry.promote(M, "1.1.0", Stage.STAGING, "alice", null); // Staging is not gated
    approvals.beginEvaluation(M, "1.1.0", "server");
    e = assertThrows(ApprovalRequiredException.class,
        () -> registry.promote(M, "1.1.0", Stage.PRODUCTION, "alice", null));
    assertTrue(e.getMessage().contains("its evaluation is pending (state EVALUATING)"));
    IllegalTransitionException early = assertThrows(IllegalTransitionException.class,
        () -> approvals.approve(M, "1.1.0", "bob", null, false, null));
    assertEquals("curve_forecaster:1.1.0 is not waiting for an approval: its evaluation is"
        + " pending (state EVALUATING); approving it anyway needs --override and --reason",
        early.getMessage());
  }

  @Test
  void hybridVetoWithinTheWindowKeepsItOut() {
    policy("{\"mode\": \"hybrid\", \"datasets\": [\"holdout\"], " + GATES
        + ", \"veto_window\": \"1h\"}");
    Approval a = stageAndEvaluate(BETTER);
    assertEquals(ApprovalState.PENDING_APPROVAL, a.state());
    assertEquals(T0.plus(Duration.ofHours(1)).toEpochMilli(), a.vetoDeadline());
    clock.advance(Duration.ofMinutes(30));
    assertTrue(approvals.expireVetoWindows(clock.instant()).isEmpty()); // not yet
    approvals.reject(M, "1.1.0", "carol", "drift on recent data");
    clock.advance(Duration.ofHours(2));
    assertTrue(approvals.expireVetoWindows(clock.instant()).isEmpty());
    Approval r = approvals.approval(M, "1.1.0");
    assertEquals(ApprovalState.REJECTED, r.state());
    assertNull(r.vetoDeadline());
    assertEquals("carol", r.lastDecision().actor());
    assertEquals(Stage.STAGING, registry.stageOf(M, "1.1.0"));
  }

  @Test
  void hybridExpiryApprovesAndPromotesOnce() {
    policy("{\"mode\": \"hybrid\", \"datasets\": [\"holdout\"], " + GATES
        + ", \"veto_window\": \"1h\"}");
    stageAndEvaluate(BETTER);
    clock.advance(Duration.ofHours(1));
    List<Approval> done = approvals.expireVetoWindows(clock.instant());
    assertEquals(1, done.size());
    assertEquals(Decision.Action.AUTO_APPROVE, done.get(0).lastDecision().action());
    assertEquals(ApprovalChanges.TIMER, done.get(0).lastDecision().actor());
    assertEquals(Stage.PRODUCTION, registry.stageOf(M, "1.1.0"));
    int before = delivered.size();
    assertTrue(approvals.expireVetoWindows(clock.instant()).isEmpty()); // idempotent
    assertEquals(before, delivered.size());
  }

  @Test
  void hybridFailIsRejectedAndAnOverrideWithAReasonPromotes() {
    policy("{\"mode\": \"hybrid\", \"datasets\": [\"holdout\"], " + GATES + "}");
    assertEquals(ApprovalState.REJECTED, stageAndEvaluate(WORSE).state());
    assertThrows(IllegalTransitionException.class,
        () -> approvals.approve(M, "1.1.0", "bob", "fine", false, null));
    InvalidRequestException noReason = assertThrows(InvalidRequestException.class,
        () -> approvals.approve(M, "1.1.0", "bob", "fine", true, null));
    assertEquals("an override needs a reason (--reason): it is recorded with the approval",
        noReason.getMessage());
    Approval a = approvals.approve(M, "1.1.0", "bob", "ticket 42", true,
        "rmse regression is within noise on this dataset");
    assertEquals(ApprovalState.APPROVED, a.state());
    assertEquals(Decision.Action.OVERRIDE, a.lastDecision().action());
    assertEquals("rmse regression is within noise on this dataset (ticket 42)",
        a.lastDecision().comment());
    assertEquals(Stage.PRODUCTION, registry.stageOf(M, "1.1.0"));
    Event approved = delivered.stream().filter(e -> e.eventType().equals(
        ApprovalEvents.APPROVED)).findFirst().orElseThrow();
    assertEquals("override", approved.field("action").asText());
  }

  @Test
  void fourEyesRefusesTheRegistrant() {
    policy("{\"mode\": \"manual\", \"datasets\": [\"holdout\"], \"four_eyes\": true}");
    stageAndEvaluate(BETTER);
    IllegalTransitionException e = assertThrows(IllegalTransitionException.class,
        () -> approvals.approve(M, "1.1.0", "alice", "mine", false, null));
    assertEquals("four eyes: alice registered curve_forecaster:1.1.0, so someone else must"
        + " approve it", e.getMessage());
    assertEquals(ApprovalState.APPROVED,
        approvals.approve(M, "1.1.0", "bob", null, false, null).state());
  }

  @Test
  void aRestartKeepsAPendingApprovalAndItsDeadline() {
    policy("{\"mode\": \"hybrid\", \"datasets\": [\"holdout\"], " + GATES + "}");
    stageAndEvaluate(BETTER);
    events.close();
    events = EventLog.open(root);
    ModelRegistry again = new ModelRegistry(ModelStore.open(root), events,
        ArtifactValidator.none(), clock);
    Approval a = again.approvals().approval(M, "1.1.0");
    assertEquals(ApprovalState.PENDING_APPROVAL, a.state());
    assertEquals(T0.plus(Duration.ofHours(1)).toEpochMilli(), a.vetoDeadline());
    clock.advance(Duration.ofHours(1));
    assertEquals(1, again.approvals().expireVetoWindows(clock.instant()).size());
    assertEquals(Stage.PRODUCTION, again.stageOf(M, "1.1.0"));
  }

  @Test
  void aWriterKilledAfterItsEventIsFinishedOnOpen() throws Exception {
    policy("{\"mode\": \"manual\", \"datasets\": [\"holdout\"]}");
    registry.promote(M, "1.1.0", Stage.STAGING, "alice", null);
    // The event of an approval is durable, its record's rename never happened.
    Approval next = Approval.none(M, "1.1.0").evaluating(
        io.mlserve.approval.ApprovalMode.MANUAL, List.of("holdout"), "1.0.0", 5);
    events.append(ApprovalEvents.approvalChanged(ApprovalEvents.EVALUATION_REQUESTED, next,
        ApprovalState.NONE, "evaluation_requested", "Staging", null, "server", null, 5));
    assertEquals(ApprovalState.NONE, approvals.approval(M, "1.1.0").state());
    new ModelRegistry(store, events, ArtifactValidator.none(), clock);
    Approval a = approvals.approval(M, "1.1.0");
    assertEquals(ApprovalState.EVALUATING, a.state());
    assertEquals(events.lastSeq(), a.seq());
    // and a policy change likewise
    events.append(ApprovalEvents.policyChanged(M, null, approvals.policy(M).orElseThrow(),
        "alice", null, 6));
    new ModelRegistry(store, events, ArtifactValidator.none(), clock);
    assertTrue(approvals.policy(M).isEmpty());
  }

  @Test
  void rolloutOnPassStartsACanaryInsteadOfPromoting() {
    policy("{\"mode\": \"automatic\", \"datasets\": [\"holdout\"], " + GATES
        + ", \"on_pass\": \"rollout\", \"rollout\": {\"steps\": [10, 100], \"bake\": \"5m\"}}");
    stageAndEvaluate(BETTER);
    Rollout r = registry.deployment(M).orElseThrow().rollout();
    assertEquals("1.1.0", r.candidate());
    assertEquals(List.of(10.0, 100.0), r.steps());
    assertEquals(Stage.STAGING, registry.stageOf(M, "1.1.0")); // the rollout promotes at its end
    int before = delivered.size();
    approvals.expireVetoWindows(clock.instant()); // already started: not again
    assertEquals(before, delivered.size());
  }

  @Test
  void policyChangesAreEventedAndInHistory() {
    policy("{\"mode\": \"manual\", \"datasets\": [\"holdout\"]}");
    assertTrue(approvals.clearPolicy(M, "bob", "no longer needed"));
    assertFalse(approvals.clearPolicy(M, "bob", null)); // nothing to clear: no event
    List<Event> policyEvents = delivered.stream().filter(e -> e.eventType().equals(
        ApprovalEvents.POLICY_CHANGED)).toList();
    assertEquals(2, policyEvents.size());
    assertEquals("manual", policyEvents.get(0).field("mode").asText());
    assertTrue(policyEvents.get(1).field("policy").isNull());
    List<HistoryEntry> h = registry.history(M).stream().filter(e -> e.version().equals(
        "policy")).toList();
    assertEquals(List.of("manual", "none"), h.stream().map(HistoryEntry::toStage).toList());
    assertEquals("no longer needed", h.get(1).reason());
    registry.promote(M, "1.1.0", Stage.PRODUCTION, "alice", null); // not gated any more
  }
}
