package io.mlserve.server.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.approval.Approval;
import io.mlserve.approval.ApprovalState;
import io.mlserve.approval.PolicyJson;
import io.mlserve.evaluation.Evaluation;
import io.mlserve.evaluation.Verdict;
import io.mlserve.registry.IllegalTransitionException;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.evaluation.EvaluationFixture;
import io.mlserve.server.evaluation.EvaluationRunner;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.Stage;
import io.mlserve.store.StoreLease;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The approval workflow end to end on a store, with the real engine: a version moved to Staging
 * under a policy is evaluated against Production on the policy's dataset and the verdict acts by
 * the mode. 1.0.0 (Production) and 1.1.0 are the demo network; 2.0.0 answers the demo's output
 * + 0.5, so its RMSE is worse. Ticks are driven by the test; the evaluation runs on its own
 * thread, awaited with a bounded deadline.
 */
@Timeout(300)
class ApprovalWorkflowTest {
  private static final String MODEL = EvaluationFixture.MODEL;
  @TempDir Path dir;
  private EvaluationFixture f;
  private EvaluationRunner runner;
  private ApprovalWorkflow workflow;
  /** The workflow's clock (veto windows end on it), ahead of the registry's by this much. */
  private final AtomicLong ahead = new AtomicLong();

  @BeforeEach
  void setUp() throws Exception {
    f = new EvaluationFixture(dir);
    RegisterRequest demo = RegisterRequest.fromManifestFile(
        DemoModel.dir().resolve("model.json"), "carol");
    f.registry.register(new RegisterRequest(demo.model(), "1.1.0", demo.artifact(),
        demo.format(), demo.signature(), demo.serving(), null, demo.params(), demo.metrics(),
        "the same network", null, "carol"));
    runner = f.runner(Ticker.system(), Duration.ofMinutes(5), 1);
    Clock shifted = new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.now().plusMillis(ahead.get());
      }
    };
    workflow = new ApprovalWorkflow(f.store, f.registry, runner,
        new StoreLease(f.store, "approval", "test", Duration.ofSeconds(30), shifted), shifted);
  }

  @AfterEach
  void tearDown() {
    workflow.close();
    runner.close();
    f.close();
  }

  private void policy(String mode, String extra) {
    f.registry.approvals().setPolicy(MODEL, PolicyJson.parse("{\"mode\": \"" + mode + "\","
        + " \"datasets\": [\"" + EvaluationFixture.DATASET + "\"], \"gates\": [{\"metric\":"
        + " \"rmse\", \"max_ratio\": 1.0}]" + extra + "}"), "alice", "test policy");
  }

  private Approval approval(String version) {
    return f.registry.approvals().approval(MODEL, version);
  }

  /** Ticks until {@code done}, at most 120 s (an evaluation loads and runs the engine). */
  private void tickUntil(BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within 120 s: " + what);
      workflow.tick();
      Thread.sleep(50); // paces the polling of a bounded wait; correctness is the condition
    }
  }

  private String production() {
    return f.store.stageVersion(MODEL, Stage.PRODUCTION).orElse(null);
  }

  @Test
  void automaticPromotesAGoodCandidateAndRejectsAWorseOneWithTheFailingGate() throws Exception {
    // A custom business metric, gated like a built-in one: the same network costs the same.
    f.registry.approvals().setPolicy(MODEL, PolicyJson.parse("{\"mode\": \"automatic\","
        + " \"datasets\": [\"" + EvaluationFixture.DATASET + "\"], \"metrics\": [{\"name\":"
        + " \"cost\", \"expression\": \"pred > label ? 3 * (pred - label) : label - pred\"}],"
        + " \"gates\": [{\"metric\": \"rmse\", \"max_ratio\": 1.0}, {\"metric\": \"cost\","
        + " \"direction\": \"lower_is_better\", \"max_ratio\": 1.0}]}"), "alice", null);
    f.registry.promote(MODEL, "1.1.0", Stage.STAGING, "carol", "candidate");
    tickUntil(() -> "1.1.0".equals(production()), "1.1.0 auto-promoted");
    Approval a = approval("1.1.0");
    assertEquals(ApprovalState.APPROVED, a.state());
    Evaluation e = runner.results().read(MODEL, "1.1.0", a.evaluationId());
    assertEquals("1.0.0", e.baselineVersion());
    assertNotNull(e.verdict());
    assertEquals(Verdict.Outcome.PASS, e.verdict().outcome());
    assertNotNull(e.candidate().metrics().value("cost"), "the custom metric was computed");
    assertEquals(e.baseline().metrics().value("cost"), e.candidate().metrics().value("cost"),
        1e-9);

    f.registry.promote(MODEL, "2.0.0", Stage.STAGING, "carol", "a worse candidate");
    tickUntil(() -> approval("2.0.0").state() == ApprovalState.REJECTED, "2.0.0 rejected");
    Approval r = approval("2.0.0");
    assertEquals("1.1.0", r.baselineVersion());
    assertTrue(r.gates().stream().anyMatch(g -> g.failed() && g.metric().equals("rmse")),
        r.gates().toString());
    assertEquals(Stage.STAGING, f.registry.stageOf(MODEL, "2.0.0"), "stays in Staging");
    assertEquals("1.1.0", production());
    assertEquals(Verdict.Outcome.FAIL,
        runner.results().read(MODEL, "2.0.0", r.evaluationId()).verdict().outcome());
  }

  @Test
  void manualWaitsForAPersonAndPromotionWithoutApprovalIsRefused() throws Exception {
    policy("manual", "");
    f.registry.promote(MODEL, "2.0.0", Stage.STAGING, "carol", "candidate");
    tickUntil(() -> approval("2.0.0").state() == ApprovalState.PENDING_APPROVAL,
        "2.0.0 pending");
    IllegalTransitionException refused = assertThrows(IllegalTransitionException.class,
        () -> f.registry.promote(MODEL, "2.0.0", Stage.PRODUCTION, "carol", "ship it"));
    assertTrue(refused.getMessage().contains("PENDING_APPROVAL"), refused.getMessage());
    f.registry.approvals().approve(MODEL, "2.0.0", "bob", "looked at the report", false, null);
    f.registry.promote(MODEL, "2.0.0", Stage.PRODUCTION, "carol", "approved");
    assertEquals("2.0.0", production());
  }

  @Test
  void hybridApprovesWhenTheVetoWindowEndsUnlessRejected() throws Exception {
    policy("hybrid", ", \"veto_window\": \"1m\"");
    f.registry.promote(MODEL, "1.1.0", Stage.STAGING, "carol", "candidate");
    tickUntil(() -> approval("1.1.0").state() == ApprovalState.PENDING_APPROVAL,
        "1.1.0 pending its veto window");
    assertNotNull(approval("1.1.0").vetoDeadline());
    workflow.tick();
    assertEquals("1.0.0", production(), "not before the window ends");
    ahead.set(Duration.ofMinutes(2).toMillis());
    tickUntil(() -> "1.1.0".equals(production()), "approved when the window ended");
    assertEquals(ApprovalState.APPROVED, approval("1.1.0").state());
    assertEquals(List.of(), f.registry.approvals().expireVetoWindows(Instant.now().plusSeconds(
        600)), "nothing left to expire");
  }

  @Test
  void aDatasetThatCannotBeEvaluatedRejectsNamingWhy() throws Exception {
    f.registry.approvals().setPolicy(MODEL, PolicyJson.parse("{\"mode\": \"automatic\","
        + " \"datasets\": [\"missing\"], \"gates\": [{\"metric\": \"rmse\", \"max\": 10}]}"),
        "alice", null);
    f.registry.promote(MODEL, "1.1.0", Stage.STAGING, "carol", "candidate");
    tickUntil(() -> approval("1.1.0").state() == ApprovalState.REJECTED, "rejected");
    String why = approval("1.1.0").decisions().get(approval("1.1.0").decisions().size() - 1)
        .comment();
    assertTrue(why.contains("'missing'"), why);
    assertEquals("1.0.0", production());
  }
}
