package io.mlserve.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.approval.Approval;
import io.mlserve.approval.ApprovalState;
import io.mlserve.approval.PolicyJson;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.evaluation.EvaluationFixture;
import io.mlserve.server.evaluation.EvaluationRunner;
import io.mlserve.server.serving.ModelRef;
import io.mlserve.server.serving.RequestContext;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Stage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The automatic approval mode through a real server on loopback: the server follows the store,
 * evaluates a version moved to Staging under the policy with the real engine, promotes the good
 * candidate (which then answers the model's requests) and rejects the worse one with its
 * failing gate, the good one still serving. The other modes run through the workflow in
 * {@code ApprovalWorkflowTest} and the README's manual flow against the demo server.
 */
@Timeout(300)
class ApprovalWorkflowIT {
  private static final String MODEL = EvaluationFixture.MODEL;
  @TempDir Path dir;
  private ServerFixture fx;
  private EvaluationRunner runner;

  @AfterEach
  void tearDown() throws Exception {
    if (fx != null) {
      fx.close();
    }
    if (runner != null) {
      runner.close();
    }
  }

  private static void await(BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within 120 s: " + what);
      Thread.sleep(50); // paces the polling of a bounded wait; correctness is the condition
    }
  }

  private String answeredBy() throws Exception {
    return fx.server.inference().infer(ModelRef.of(MODEL), List.of(DemoModel.row(60f)),
        RequestContext.of(Long.MAX_VALUE, "test")).get(30, TimeUnit.SECONDS).model().version();
  }

  @Test
  void aGoodCandidateIsPromotedAndServedAndAWorseOneIsRejectedWithItsGate() throws Exception {
    fx = ServerFixture.withApprovals(dir, registry -> {
      try {
        EvaluationFixture f = new EvaluationFixture(registry); // 1.0.0 Production, 2.0.0 worse
        return runner = f.runner(Ticker.system(), Duration.ofMinutes(5), 1);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    RegisterRequest demo = RegisterRequest.fromManifestFile(
        DemoModel.dir().resolve("model.json"), "carol");
    fx.registry.register(new RegisterRequest(demo.model(), "1.1.0", demo.artifact(),
        demo.format(), demo.signature(), demo.serving(), null, demo.params(), demo.metrics(),
        "the same network", null, "carol"));
    assertTrue(fx.server.start().isEmpty());
    assertEquals("1.0.0", answeredBy());
    fx.registry.approvals().setPolicy(MODEL, PolicyJson.parse("{\"mode\": \"automatic\","
        + " \"datasets\": [\"" + EvaluationFixture.DATASET + "\"], \"gates\": [{\"metric\":"
        + " \"rmse\", \"max_ratio\": 1.0}, {\"metric\": \"p95_ms\", \"max\": 60000}]}"),
        "alice", "gate the forecaster");

    fx.registry.promote(MODEL, "1.1.0", Stage.STAGING, "carol", "candidate");
    await(() -> fx.server.router().defaultVersion(MODEL) != null
        && fx.server.router().defaultVersion(MODEL).version().equals("1.1.0"),
        "the server evaluates, approves and serves 1.1.0");
    assertEquals("1.1.0", answeredBy());
    assertEquals(ApprovalState.APPROVED,
        fx.registry.approvals().approval(MODEL, "1.1.0").state());

    fx.registry.promote(MODEL, "2.0.0", Stage.STAGING, "carol", "a worse candidate");
    await(() -> fx.registry.approvals().approval(MODEL, "2.0.0").state()
        == ApprovalState.REJECTED, "2.0.0 rejected");
    Approval r = fx.registry.approvals().approval(MODEL, "2.0.0");
    assertTrue(r.gates().stream().anyMatch(g -> g.failed() && g.metric().equals("rmse")),
        r.gates().toString());
    assertEquals(Stage.STAGING, fx.registry.stageOf(MODEL, "2.0.0"));
    assertEquals("1.1.0", answeredBy(), "the approved version keeps serving");
  }
}
