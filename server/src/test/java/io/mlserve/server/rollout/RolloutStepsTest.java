package io.mlserve.server.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.IllegalTransitionException;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.registry.RolloutPlan;
import io.mlserve.server.rollout.RolloutDecision.Action;
import io.mlserve.server.testing.ManualClock;
import io.mlserve.store.Deployment;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Rollout;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import io.mlserve.store.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's decisions applied to a real registry over a temp store, with a clock the
 * test advances: a good candidate rolls 5 → 25 → 50 → 100 and ends in Production; a failing one
 * is aborted at the first step and the stable version keeps all traffic.
 */
class RolloutStepsTest {
  private static final Duration BAKE = Duration.ofSeconds(60);

  @TempDir Path tmp;
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T10:00:00Z"));
  private EventLog events;
  private ModelRegistry registry;
  private final List<Event> delivered = new ArrayList<>();
  private final RolloutController controller = new RolloutController();
  private RolloutSteps steps;

  @BeforeEach
  void setUp() throws Exception {
    Path root = tmp.resolve("store");
    events = EventLog.open(root);
    events.subscribe(delivered::add);
    registry = new ModelRegistry(ModelStore.open(root), events, ArtifactValidator.none(), clock);
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    Signature sig = new Signature(List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
        List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L))));
    for (String v : List.of("1.2.0", "1.3.0")) {
      registry.register(new RegisterRequest("m", v, artifact, "torchscript", sig, null, null,
          null, null, null, null, "alice"));
    }
    registry.promote("m", "1.2.0", Stage.PRODUCTION, "alice", null);
    steps = new RolloutSteps(registry, "rollout-controller");
  }

  @AfterEach
  void tearDown() {
    events.close();
  }

  private Rollout record() {
    return registry.deployment("m").orElseThrow().rollout();
  }

  /** One controller tick: the windows since the step began, the decision, applied. */
  private RolloutDecision tick(long requests, long errors, double p95) {
    Rollout r = record();
    ArmWindow candidate = new ArmWindow(r.stepStartedAt(), requests, errors, p95, null, null);
    ArmWindow stable = new ArmWindow(r.stepStartedAt(), 10 * requests, 0, 80, null, null);
    RolloutDecision d = controller.next(r, candidate, stable, clock.millis());
    steps.apply("m", d);
    return d;
  }

  @Test
  void aGoodCandidateRollsThroughEveryStepAndEndsInProduction() {
    registry.startRollout("m", new RolloutPlan("1.3.0", null, BAKE, null, null), "bob", null);
    List<String> splits = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      splits.add(registry.deployment("m").orElseThrow().split().spec());
      assertEquals(Action.NONE, tick(500, 0, 50).action());
      clock.advance(BAKE);
      tick(500, 0, 50);
    }
    assertEquals(List.of("1.2.0=95,1.3.0=5", "1.2.0=75,1.3.0=25", "1.2.0=50,1.3.0=50",
        "1.2.0=0,1.3.0=100"), splits);
    Deployment d = registry.deployment("m").orElseThrow();
    assertEquals(Rollout.State.SUCCEEDED, d.rollout().state());
    assertNull(d.split());
    assertEquals(Stage.PRODUCTION, registry.stageOf("m", "1.3.0"));
    assertEquals(Stage.DEPRECATED, registry.stageOf("m", "1.2.0"));
    assertTrue(delivered.stream().anyMatch(e -> e.eventType().equals(Event.PROMOTED)
        && "1.3.0".equals(e.version()) && "1.2.0".equals(e.previousVersion())));
  }

  @Test
  void aFailingCandidateIsAbortedAtTheFirstStepWithTheReason() {
    registry.startRollout("m", new RolloutPlan("1.3.0", null, BAKE, null, null), "bob", null);
    clock.advance(Duration.ofSeconds(5));
    RolloutDecision d = tick(212, 7, 50);
    assertEquals(Action.ABORT, d.action());
    Deployment after = registry.deployment("m").orElseThrow();
    assertEquals("1.2.0=100,1.3.0=0", after.split().spec());
    assertEquals(Rollout.State.ABORTED, after.rollout().state());
    assertEquals("error rate 0.033 > 0.01 over 212 requests at 5%",
        after.rollout().abortReason());
    Event last = delivered.get(delivered.size() - 1);
    assertEquals(Event.ROLLOUT_ABORTED, last.eventType());
    assertEquals(Stage.PRODUCTION, registry.stageOf("m", "1.2.0"));
  }

  @Test
  void aDecisionMadeForAStateThatChangedMeanwhileIsRefused() {
    registry.startRollout("m", new RolloutPlan("1.3.0", null, BAKE, null, null), "bob", null);
    clock.advance(BAKE);
    Rollout r = record();
    RolloutDecision d = controller.next(r, new ArmWindow(r.stepStartedAt(), 500, 0, 50, null,
        null), ArmWindow.empty(r.stepStartedAt()), clock.millis());
    assertEquals(Action.ADVANCE, d.action());
    registry.pauseRollout("m", "carol", "hold on");
    assertThrows(IllegalTransitionException.class, () -> steps.apply("m", d));
    assertEquals(Rollout.State.PAUSED, record().state());
    assertEquals(0, record().step());
  }
}
