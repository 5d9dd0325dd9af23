package io.mlserve.server.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.registry.RolloutPlan;
import io.mlserve.server.model.ArmTable;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.serving.Answer;
import io.mlserve.server.serving.ModelRef;
import io.mlserve.server.serving.RequestContext;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.Rollout;
import io.mlserve.store.Stage;
import io.mlserve.store.StoreLease;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollout runner over a real server and the real model: live windows from the split's own
 * requests drive the controller; the runner's clock is advanced by hand (the bake), no sleeps
 * decide anything. A good candidate rolls 50 -> 100 and ends in Production; one that fails on
 * some inputs is aborted at its first step, with the reason, and the stable version takes all.
 */
class RolloutRunnerTest {
  private static final String MODEL = "curve_forecaster";
  private static final Path FIXTURES = Path.of("src/test/resources/models");

  @TempDir Path dir;

  private final AtomicLong now = new AtomicLong(System.currentTimeMillis());
  private final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now.get());
    }
  };

  private static <T> T await(java.util.function.Supplier<T> value, Predicate<T> done)
      throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!done.test(value.get()) && System.nanoTime() < deadline) {
      Thread.sleep(20); // bounded wait for the server to follow the store; not a correctness sleep
    }
    return value.get();
  }

  private static Tensor row(float first) throws Exception {
    return DemoModel.row(first);
  }

  /** {@code n} unversioned requests, every {@code badEvery}-th with a negative first value. */
  private static int traffic(ServerFixture f, int n, int badEvery) throws Exception {
    List<CompletableFuture<Answer>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(f.server.inference().infer(ModelRef.of(MODEL),
          List.of(row(badEvery > 0 && i % badEvery == 0 ? -1 : 60)),
          RequestContext.of(Long.MAX_VALUE, "test")));
    }
    int failed = 0;
    for (CompletableFuture<Answer> a : all) {
      try {
        a.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        failed++;
      }
    }
    return failed;
  }

  /** {@code n} unversioned requests, all answered. */
  private static List<Answer> answers(ServerFixture f, int n) throws Exception {
    List<CompletableFuture<Answer>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(f.server.inference().infer(ModelRef.of(MODEL), List.of(row(60)),
          RequestContext.of(Long.MAX_VALUE, "test")));
    }
    List<Answer> out = new ArrayList<>();
    for (CompletableFuture<Answer> a : all) {
      out.add(a.get(60, TimeUnit.SECONDS));
    }
    return out;
  }

  /**
   * Rewards for the {@code from}-th to the {@code to}-th (exclusive) answer of each version,
   * each from {@code reward} of the answering version, through the server's feedback join (as
   * {@code POST /api/v1/feedback} sends them).
   */
  private static void rewards(ServerFixture f, List<Answer> answers, int from, int to,
      Map<String, Double> reward) {
    Map<String, Integer> seen = new java.util.HashMap<>();
    for (Answer a : answers) {
      String v = a.model().version();
      int k = seen.merge(v, 1, Integer::sum) - 1;
      if (k >= from && k < to) {
        f.server.experiments().feedback(MODEL, a.requestId(), null, reward.get(v));
      }
    }
  }

  private RolloutRunner runner(ServerFixture f) {
    return new RolloutRunner(f.store, f.registry, f.server.experiments(), f.server.shadows(),
        new StoreLease(f.store, "rollout", "test", Duration.ofSeconds(10), clock), clock);
  }

  private static Map<String, Double> weights(ServerFixture f) {
    ArmTable a = f.router.arms(MODEL);
    return a == null ? null : a.weights();
  }

  @Test
  void aGoodCandidateRollsThroughItsStepsIntoProduction() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, m -> GuardPolicy.off(), true)) {
      f.registerDemo("1.0.0", true);
      f.registerDemo("1.1.0", true);
      f.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
      f.server.start();
      f.registry.startRollout(MODEL, new RolloutPlan("1.1.0", List.of(50.0, 100.0),
          Duration.ofSeconds(1), new Rollout.Thresholds(0.01, 1_000, 20, null), null), "test",
          "canary");
      now.set(System.currentTimeMillis());
      assertEquals(Map.of("1.0.0", 50.0, "1.1.0", 50.0),
          await(() -> weights(f), w -> w != null && w.get("1.1.0") == 50.0));
      RolloutRunner r = runner(f);
      assertEquals(0, traffic(f, 200, 0));
      assertEquals(0, r.tick(), "mid-bake a passing step waits");
      now.addAndGet(2_000);
      assertEquals(1, r.tick(), "after the bake it advances");
      assertEquals(100.0, await(() -> weights(f), w -> w != null && w.get("1.1.0") == 100.0)
          .get("1.1.0"));
      assertEquals(0, traffic(f, 100, 0));
      now.addAndGet(2_000);
      assertEquals(1, r.tick(), "the last step passed: finished");
      Rollout done = f.registry.deployment(MODEL).orElseThrow().rollout();
      assertEquals(Rollout.State.SUCCEEDED, done.state());
      assertEquals("1.1.0", f.store.stageVersion(MODEL, Stage.PRODUCTION).orElseThrow());
      r.close();
    }
  }

  @Test
  void aCandidateThatFailsOnSomeInputsIsAbortedAtItsFirstStep() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, m -> GuardPolicy.off(), true)) {
      f.registerDemo("1.0.0", true);
      f.registerArtifact("2.0.0", FIXTURES.resolve("canary_errors.pt"),
          DemoModel.dir().resolve("examples.json"));
      f.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
      f.server.start();
      f.registry.startRollout(MODEL, new RolloutPlan("2.0.0", List.of(50.0, 100.0),
          Duration.ofSeconds(60), new Rollout.Thresholds(0.01, 1_000, 20, null), null), "test",
          "canary");
      now.set(System.currentTimeMillis());
      await(() -> weights(f), w -> w != null && w.get("2.0.0") == 50.0);
      RolloutRunner r = runner(f);
      // One request in ten fails on the candidate: a failed check aborts mid-bake.
      assertTrue(traffic(f, 200, 10) > 0);
      assertEquals(1, r.tick());
      Rollout aborted = f.registry.deployment(MODEL).orElseThrow().rollout();
      assertEquals(Rollout.State.ABORTED, aborted.state());
      assertTrue(aborted.abortReason().startsWith("error rate"), aborted.abortReason());
      assertEquals(0.0, await(() -> weights(f), w -> w != null && w.get("2.0.0") == 0.0)
          .get("2.0.0"), "the stable version takes all");
      assertEquals(0, traffic(f, 100, 10), "and answers every request, bad inputs included");
      assertEquals("1.0.0", f.store.stageVersion(MODEL, Stage.PRODUCTION).orElseThrow());
      r.close();
    }
  }

  @Test
  void aCandidateWhoseShadowDivergesIsAbortedAtItsFirstStep() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, m -> GuardPolicy.off(), true)) {
      f.registerDemo("1.0.0", true);
      f.registerArtifact("2.0.0", FIXTURES.resolve("canary_diverging.pt"), null);
      f.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
      f.server.start();
      // The candidate shadows Production first, then takes 10% of the traffic.
      f.registry.startShadow(MODEL, "2.0.0", 1.0, 1e-4, 1e-3, "test", "compare");
      f.registry.startRollout(MODEL, new RolloutPlan("2.0.0", List.of(10.0, 100.0),
          Duration.ofSeconds(60), new Rollout.Thresholds(0.01, 1_000, 20, 0.05), null), "test",
          "canary");
      now.set(System.currentTimeMillis());
      await(() -> weights(f), w -> w != null && w.get("2.0.0") == 10.0);
      await(() -> f.server.shadows().active(MODEL), a -> a);
      assertEquals(0, traffic(f, 300, 0), "no request fails: the candidate only diverges");
      await(() -> f.server.shadows().report(MODEL), x -> x.compared() >= 100);
      RolloutRunner r = runner(f);
      assertEquals(1, r.tick());
      Rollout aborted = f.registry.deployment(MODEL).orElseThrow().rollout();
      assertEquals(Rollout.State.ABORTED, aborted.state());
      assertTrue(aborted.abortReason().startsWith("divergence 1 > 0.05"), aborted.abortReason());
      r.close();
    }
  }

  @Test
  void aCandidateWhoseFeedbackIsWorseIsAbortedWithTheNumbers() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, m -> GuardPolicy.off(), true)) {
      f.registerDemo("1.0.0", true);
      f.registerDemo("1.1.0", true);
      f.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
      f.server.start();
      f.registry.startRollout(MODEL, new RolloutPlan("1.1.0", List.of(50.0, 100.0),
          Duration.ofSeconds(60), new Rollout.Thresholds(0.01, 1_000, 20, null, 0.05, 30),
          null), "test", "canary");
      now.set(System.currentTimeMillis());
      await(() -> weights(f), w -> w != null && w.get("1.1.0") == 50.0);
      RolloutRunner r = runner(f);
      List<Answer> answers = answers(f, 200);
      // The callers' outcomes: the candidate's answers earn 0.7, the stable's 1.0.
      rewards(f, answers, 0, 30, Map.of("1.0.0", 1.0, "1.1.0", 0.7));
      assertEquals(1, r.tick(), "a feedback regression aborts mid-bake");
      Rollout aborted = f.registry.deployment(MODEL).orElseThrow().rollout();
      assertEquals(Rollout.State.ABORTED, aborted.state());
      assertEquals("feedback reward 0.7 vs stable 1 (n=30, stable n=30): 30% worse > 5% at 50%",
          aborted.abortReason());
      assertEquals(0.0, await(() -> weights(f), w -> w != null && w.get("1.1.0") == 0.0)
          .get("1.1.0"), "the stable version takes all");
      r.close();
    }
  }

  @Test
  void tooLittleFeedbackExtendsTheStepUntilThereIsEnough() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, m -> GuardPolicy.off(), true)) {
      f.registerDemo("1.0.0", true);
      f.registerDemo("1.1.0", true);
      f.registry.promote(MODEL, "1.0.0", Stage.PRODUCTION, "test", "setup");
      f.server.start();
      f.registry.startRollout(MODEL, new RolloutPlan("1.1.0", List.of(50.0, 100.0),
          Duration.ofSeconds(60), new Rollout.Thresholds(0.01, 1_000, 20, null, 0.05, 30),
          null), "test", "canary");
      now.set(System.currentTimeMillis());
      await(() -> weights(f), w -> w != null && w.get("1.1.0") == 50.0);
      RolloutRunner r = runner(f);
      List<Answer> answers = answers(f, 200);
      rewards(f, answers, 0, 10, Map.of("1.0.0", 1.0, "1.1.0", 1.0));
      now.addAndGet(61_000);
      assertEquals(1, r.tick());
      Rollout extended = f.registry.deployment(MODEL).orElseThrow().rollout();
      assertEquals(Rollout.State.RUNNING, extended.state());
      assertEquals(1, extended.extensions());
      assertEquals(0, extended.step());
      assertTrue(extended.lastAnalysis().startsWith("feedback not measured (n=10 < 30;"
          + " candidate n=10, stable n=10) at 50% in "), extended.lastAnalysis());
      assertTrue(extended.lastAnalysis().endsWith("; bake extended (extension 1)"),
          extended.lastAnalysis());
      // The rest of the outcomes arrive, as good as the stable's: the extended bake passes.
      rewards(f, answers, 10, 200, Map.of("1.0.0", 1.0, "1.1.0", 1.0));
      now.addAndGet(60_000);
      assertEquals(1, r.tick());
      Rollout advanced = f.registry.deployment(MODEL).orElseThrow().rollout();
      assertEquals(1, advanced.step(), advanced.lastAnalysis());
      assertTrue(advanced.lastAnalysis().contains("feedback reward 1 vs stable 1 (n="),
          advanced.lastAnalysis());
      // At 100% the stable version serves nothing to compare with: the step passes on the
      // candidate's own window (no feedback sent) and the candidate is promoted.
      await(() -> weights(f), w -> w != null && w.get("1.1.0") == 100.0);
      answers(f, 50);
      now.addAndGet(61_000);
      assertEquals(1, r.tick());
      Rollout done = f.registry.deployment(MODEL).orElseThrow().rollout();
      assertEquals(Rollout.State.SUCCEEDED, done.state(), done.lastAnalysis());
      assertEquals("1.1.0", f.store.stageVersion(MODEL, Stage.PRODUCTION).orElseThrow());
      r.close();
    }
  }
}
