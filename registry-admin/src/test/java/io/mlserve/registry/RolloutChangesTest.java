package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.store.Deployment;
import io.mlserve.store.DeploymentStore;
import io.mlserve.store.Event;
import io.mlserve.store.EventLog;
import io.mlserve.store.HistoryEntry;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Rollout;
import io.mlserve.store.Rollout.State;
import io.mlserve.store.RolloutJson;
import io.mlserve.store.Stage;
import io.mlserve.store.TrafficSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rollout section of the deployment record and the registry's rollout changes. */
class RolloutChangesTest {
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private Path root;
  private ModelStore store;
  private EventLog events;
  private ModelRegistry registry;
  private final TestClock clock = new TestClock(T0);
  private final List<Event> delivered = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("store");
    store = ModelStore.open(root);
    events = EventLog.open(root);
    events.subscribe(delivered::add);
    registry = new ModelRegistry(store, events, ArtifactValidator.none(), clock);
    Path artifact = Files.write(tmp.resolve("model.pt"), new byte[64]);
    for (String v : List.of("1.1.0", "1.2.0", "1.3.0", "1.4.0")) {
      registry.register(new RegisterRequest("m", v, artifact, "torchscript",
          HaltingWriterMain.SIG, null, null, null, null, null, null, "alice"));
    }
    registry.promote("m", "1.1.0", Stage.PRODUCTION, "alice", null);
    registry.promote("m", "1.2.0", Stage.PRODUCTION, "alice", null);
    delivered.clear();
  }

  @AfterEach
  void tearDown() {
    events.close();
  }

  private Deployment start() {
    return registry.startRollout("m", new RolloutPlan("1.3.0", List.of(5.0, 25.0, 50.0, 100.0),
        Duration.ofSeconds(60), new Rollout.Thresholds(0.01, 200, 100, 0.05), 25.0), "bob",
        "canary");
  }

  private Event last() {
    return delivered.get(delivered.size() - 1);
  }

  @Test
  void startSetsTheFirstStepAndWritesTheSectionHistoryAndEvent() throws Exception {
    clock.advance(Duration.ofMinutes(1));
    Deployment d = start();
    Rollout r = d.rollout();
    assertEquals(new Rollout("1.3.0", "1.2.0", List.of(5.0, 25.0, 50.0, 100.0), 60_000,
        new Rollout.Thresholds(0.01, 200, 100, 0.05), 25.0, 0, State.RUNNING,
        T0.plusSeconds(60).toEpochMilli(), 0, null, null), r);
    assertEquals("1.2.0=95,1.3.0=5", d.split().spec());
    assertEquals(events.lastSeq(), d.seq());

    JsonNode file = JSON.readTree(root.resolve("m/deployment.json").toFile());
    assertEquals("RUNNING", file.at("/rollout/state").asText());
    assertEquals(100, file.at("/rollout/thresholds/min_requests").asInt());
    assertTrue(file.at("/rollout/abort_reason").isNull());
    assertEquals(r, DeploymentStore.read(root, "m").orElseThrow().rollout());

    Event e = last();
    assertEquals(Event.ROLLOUT_STEP, e.eventType());
    assertEquals("1.3.0", e.version());
    assertEquals("started", e.field("action").asText());
    assertEquals(0, e.field("step").asInt());
    assertEquals(5.0, e.field("weight").asDouble());
    assertEquals(TrafficSplit.parseWeights("1.2.0=95,1.3.0=5"), e.weightsField("split"));
    assertEquals(r, RolloutJson.fromJson(e.field("rollout")));
    assertEquals(e.toJson(), Files.readAllLines(root.resolve("events.jsonl"))
        .get((int) e.seq() - 1));
    assertTrue(e.toJson().startsWith("{\"event_type\":\"ml.model.rollout_step.v1\","
        + "\"model_name\":\"m\",\"version\":\"1.3.0\",\"stage\":null,\"run_id\":null,"
        + "\"timestamp\":" + d.updatedAt() + ",\"seq\":" + d.seq() + ",\"previous_version\":null,"
        + "\"action\":\"started\",\"step\":0,\"weight\":5.0,\"state\":\"RUNNING\","
        + "\"split\":{\"1.2.0\":95.0,\"1.3.0\":5.0},\"rollout\":{"), e.toJson());

    HistoryEntry h = registry.history("m").get(registry.history("m").size() - 1);
    assertTrue(h.isTraffic());
    assertNull(h.fromStage());
    assertEquals("1.2.0=95,1.3.0=5", h.toStage());
    assertEquals("rollout of 1.3.0 started (RUNNING at 5% (step 1 of 4)): canary", h.reason());
  }

  @Test
  void stepsAdvanceWithStickyKeysWaitAtTheGateResumeAndFinishThroughPromotion() {
    TrafficSplit s0 = start().split();
    assertEquals("the rollout of m:1.3.0 has no pause-at gate at 5%",
        assertThrows(IllegalTransitionException.class, () -> registry.awaitRolloutResume("m",
            "x", "controller")).getMessage());
    clock.advance(Duration.ofSeconds(61));
    Deployment d1 = registry.advanceRollout("m", "passed: error rate 0 over 300", "controller");
    assertEquals(1, d1.rollout().step());
    assertEquals(clock.millis(), d1.rollout().stepStartedAt());
    assertEquals("1.2.0=75,1.3.0=25", d1.split().spec());
    for (int b = 0; b < TrafficSplit.BUCKETS; b++) { // keys on the candidate stay there
      if (s0.versionFor(b).equals("1.3.0")) {
        assertEquals("1.3.0", d1.split().versionFor(b));
      }
    }
    assertEquals("advanced", last().field("action").asText());

    Deployment waiting = registry.awaitRolloutResume("m", "passed at 25%", "controller");
    assertEquals(State.WAITING_FOR_RESUME, waiting.rollout().state());
    assertEquals("the rollout of m:1.3.0 is WAITING_FOR_RESUME at 25% (step 2 of 4); resume"
        + " opens the gate", assertThrows(IllegalTransitionException.class,
            () -> registry.advanceRollout("m", "x", "controller")).getMessage());

    Deployment resumed = registry.resumeRollout("m", "carol", "looks good");
    assertEquals(State.RUNNING, resumed.rollout().state());
    assertEquals("1.2.0=50,1.3.0=50", resumed.split().spec());
    Deployment d3 = registry.advanceRollout("m", "passed", "controller");
    assertEquals("1.2.0=0,1.3.0=100", d3.split().spec());
    assertEquals("the rollout of m:1.3.0 is at its last step (100%); finish (promote) it"
        + " instead", assertThrows(IllegalTransitionException.class,
            () -> registry.advanceRollout("m", "x", "controller")).getMessage());

    int before = delivered.size();
    Deployment done = registry.finishRollout("m", "controller", null);
    assertEquals(State.SUCCEEDED, done.rollout().state());
    assertNull(done.split());
    assertEquals(Stage.PRODUCTION, registry.stageOf("m", "1.3.0"));
    assertEquals(Stage.DEPRECATED, registry.stageOf("m", "1.2.0"));
    List<Event> fin = delivered.subList(before, delivered.size());
    assertEquals(List.of(Event.PROMOTED, Event.ROLLOUT_STEP),
        fin.stream().map(Event::eventType).toList());
    assertEquals("1.2.0", fin.get(0).previousVersion());
    assertEquals("finished", fin.get(1).field("action").asText());
    assertTrue(fin.get(1).field("split").isNull());
    // the rollout no longer owns the split
    registry.setTraffic("m", TrafficSplit.parseWeights("1.3.0=100"), "bob", null);
  }

  @Test
  void abortIsOneWriteCandidateToZeroWithTheReason() throws Exception {
    start();
    registry.advanceRollout("m", "passed", "controller");
    int before = delivered.size();
    Deployment d = registry.abortRollout("m", "error rate 0.034 > 0.01 over 212 requests",
        "controller");
    assertEquals(before + 1, delivered.size());
    assertEquals("1.2.0=100,1.3.0=0", d.split().spec());
    assertEquals(0, d.split().bucketCount("1.3.0"));
    assertEquals(State.ABORTED, d.rollout().state());
    assertEquals("error rate 0.034 > 0.01 over 212 requests", d.rollout().abortReason());
    Event e = last();
    assertEquals(Event.ROLLOUT_ABORTED, e.eventType());
    assertEquals(25.0, e.field("weight").asDouble());
    assertEquals("error rate 0.034 > 0.01 over 212 requests", e.field("reason").asText());
    assertEquals(Stage.PRODUCTION, registry.stageOf("m", "1.2.0"));
    assertEquals("the rollout of m:1.3.0 is over (ABORTED); start a new one",
        assertThrows(IllegalTransitionException.class,
            () -> registry.abortRollout("m", null, "bob")).getMessage());
    // a new rollout may start after an aborted one
    assertEquals(State.RUNNING, start().rollout().state());
    assertEquals("aborted by bob", registry.abortRollout("m", " ", "bob").rollout()
        .abortReason());
  }

  @Test
  void pauseKeepsTheSplitAndResumeRestartsTheBake() {
    start();
    clock.advance(Duration.ofSeconds(30));
    Deployment p = registry.pauseRollout("m", "bob", "weekend");
    assertEquals(State.PAUSED, p.rollout().state());
    assertEquals("1.2.0=95,1.3.0=5", p.split().spec());
    assertEquals("the rollout of m:1.3.0 is PAUSED at 5% (step 1 of 4); resume it first",
        assertThrows(IllegalTransitionException.class,
            () -> registry.advanceRollout("m", "x", "controller")).getMessage());
    clock.advance(Duration.ofMinutes(10));
    Deployment r = registry.resumeRollout("m", "bob", null);
    assertEquals(State.RUNNING, r.rollout().state());
    assertEquals(0, r.rollout().step());
    assertEquals(clock.millis(), r.rollout().stepStartedAt());
    assertEquals("the rollout of m:1.3.0 is RUNNING at 5% (step 1 of 4), not paused or"
        + " waiting for a resume", assertThrows(IllegalTransitionException.class,
            () -> registry.resumeRollout("m", "bob", null)).getMessage());
    Deployment x = registry.extendRolloutStep("m", "too few requests: 3 < 100", "controller");
    assertEquals(1, x.rollout().extensions());
    assertEquals("too few requests: 3 < 100", x.rollout().lastAnalysis());
    assertEquals("extended", last().field("action").asText());
  }

  @Test
  void promoteSkipsToTheEnd() {
    start();
    Deployment d = registry.finishRollout("m", "bob", "ship it");
    assertEquals(State.SUCCEEDED, d.rollout().state());
    assertEquals(Stage.PRODUCTION, registry.stageOf("m", "1.3.0"));
    assertNull(d.split());
  }

  @Test
  void finishingACandidateAlreadyInProductionDoesNotPromoteItTwice() {
    start();
    // as a finish whose record write failed after its promotion leaves it
    registry.promote("m", "1.3.0", Stage.PRODUCTION, "controller", "rollout finished");
    int before = delivered.size();
    Deployment d = registry.finishRollout("m", "controller", null);
    assertEquals(State.SUCCEEDED, d.rollout().state());
    assertNull(d.split());
    assertEquals(List.of(Event.ROLLOUT_STEP), delivered.subList(before, delivered.size())
        .stream().map(Event::eventType).toList());
  }

  @Test
  void aRollbackDuringARolloutAbortsItAndClearsTheSplit() {
    start();
    int before = delivered.size();
    registry.rollback("m", "alice", "bad night");
    List<String> types = delivered.subList(before, delivered.size()).stream()
        .map(Event::eventType).toList();
    assertEquals(List.of(Event.ROLLOUT_ABORTED, Event.ROLLED_BACK), types);
    Deployment d = registry.deployment("m").orElseThrow();
    assertEquals(State.ABORTED, d.rollout().state());
    assertEquals("rollback of Production from 1.2.0 to 1.1.0", d.rollout().abortReason());
    assertNull(d.split());
    assertEquals(Stage.PRODUCTION, registry.stageOf("m", "1.1.0"));
  }

  @Test
  void refusalsSayWhatIsWrong() {
    Map<String, Supplier<RolloutPlan>> bad = Map.of(
        "rollout of m:1.3.0: steps 5,25,50 must end at 100 (the candidate takes all traffic"
            + " before it is promoted)",
        () -> new RolloutPlan("1.3.0", List.of(5.0, 25.0, 50.0), null, null, null),
        "rollout of m:1.3.0: steps 5,50,25,100 are not strictly increasing",
        () -> new RolloutPlan("1.3.0", List.of(5.0, 50.0, 25.0, 100.0), null, null, null),
        "rollout of m:1.3.0: step 0.0 is not a weight in (0, 100]",
        () -> new RolloutPlan("1.3.0", List.of(0.0, 100.0), null, null, null),
        "rollout of m:1.3.0: bake 10 ms is not from 1 s to 24 h",
        () -> new RolloutPlan("1.3.0", null, Duration.ofMillis(10), null, null),
        "rollout of m:1.3.0: pause-at 30 is not one of the steps 5,25,50,100",
        () -> new RolloutPlan("1.3.0", null, null, null, 30.0),
        "rollout of m:1.3.0: pause-at 100 is the last step; pause at an earlier one (promote"
            + " ends the rollout)",
        () -> new RolloutPlan("1.3.0", null, null, null, 100.0));
    bad.forEach((msg, plan) -> assertEquals(msg, assertThrows(InvalidRequestException.class,
        () -> registry.startRollout("m", plan.get(), "bob", null)).getMessage()));
    assertEquals("max error rate 1.5 is not a fraction from 0 to 1 (e.g. 0.01)",
        assertThrows(IllegalArgumentException.class,
            () -> new Rollout.Thresholds(1.5, 200, 100, null)).getMessage());
    assertEquals("min requests 0 is below 1: a step is never judged on no requests",
        assertThrows(IllegalArgumentException.class,
            () -> new Rollout.Thresholds(0.01, 200, 0, null)).getMessage());
    assertEquals("model 'm' has no version '9.9.9'", assertThrows(NotFoundException.class,
        () -> registry.startRollout("m", RolloutPlan.of("9.9.9"), "bob", null)).getMessage());
    assertEquals("m:1.2.0 is already the Production version; roll out another version",
        assertThrows(IllegalTransitionException.class,
            () -> registry.startRollout("m", RolloutPlan.of("1.2.0"), "bob", null))
            .getMessage());
    registry.archive("m", "1.4.0", "alice", null);
    assertEquals("m:1.4.0 is Archived; restore it before rolling it out",
        assertThrows(IllegalTransitionException.class,
            () -> registry.startRollout("m", RolloutPlan.of("1.4.0"), "bob", null))
            .getMessage());
    assertEquals("model m has no rollout; start one first",
        assertThrows(IllegalTransitionException.class,
            () -> registry.pauseRollout("m", "bob", null)).getMessage());
    assertTrue(registry.deployment("m").isEmpty(), "no refusal wrote a record");
    assertEquals(1, delivered.size()); // only the archive

    start();
    assertEquals("model m already has a rollout of 1.3.0 (RUNNING at 5% (step 1 of 4)); abort"
        + " it or let it finish first", assertThrows(IllegalTransitionException.class,
            () -> registry.startRollout("m", RolloutPlan.of("1.1.0"), "bob", null))
            .getMessage());
    assertEquals("a rollout of m:1.3.0 owns the split (RUNNING at 5% (step 1 of 4)); abort or"
        + " finish it first", assertThrows(IllegalTransitionException.class,
            () -> registry.setTraffic("m", TrafficSplit.parseWeights("1.2.0=100"), "bob",
                null)).getMessage());
    assertThrows(IllegalTransitionException.class, () -> registry.clearTraffic("m", "bob",
        null));
  }

  @Test
  void startWithoutAProductionVersionIsRefused() {
    registry.deprecate("m", "1.2.0", "alice", null);
    assertEquals("model m has no Production version to roll out from; promote one first",
        assertThrows(IllegalTransitionException.class,
            () -> registry.startRollout("m", RolloutPlan.of("1.3.0"), "bob", null))
            .getMessage());
  }

  @Test
  void aRolloutEventWhoseRecordWasNotWrittenIsFinishedOnOpen() throws Exception {
    Deployment started = start();
    // as a writer killed between the event and the record's rename leaves it
    Rollout aborted = started.rollout().aborted("p95 900 ms > 200 ms over 150 requests");
    Map<String, Double> w = started.rollout().weights(0);
    events.append(Event.rolloutAborted("m", aborted, 5.0, w, "controller",
        aborted.abortReason(), clock.millis()));
    events.close();
    events = EventLog.open(root);
    ModelRegistry reopened = new ModelRegistry(ModelStore.open(root), events,
        ArtifactValidator.none(), clock);
    Deployment d = reopened.deployment("m").orElseThrow();
    assertEquals(aborted, d.rollout());
    assertEquals(events.lastSeq(), d.seq());
    assertEquals(TrafficSplit.reslice(started.split(), w), d.split());
    assertFalse(d.hasActiveRollout());
  }

  @Test
  void aFeedbackThresholdIsKeptInTheRecordAndItsEventAndRefusedWithoutAStepBelow100()
      throws Exception {
    Rollout.Thresholds t = new Rollout.Thresholds(0.01, 200, 100, null, 0.05, 40);
    assertEquals("rollout of m:1.3.0: a max feedback regression needs a step below 100:"
        + " feedback is compared while the stable version still serves, and at 100% it serves"
        + " nothing (e.g. steps 5,25,50,100)", assertThrows(InvalidRequestException.class,
            () -> registry.startRollout("m", new RolloutPlan("1.3.0", List.of(100.0), null, t,
                null), "bob", null)).getMessage());
    assertTrue(registry.deployment("m").isEmpty(), "the refusal wrote no record");

    Deployment d = registry.startRollout("m", new RolloutPlan("1.3.0", null, null, t, null),
        "bob", "canary judged on feedback");
    assertEquals(t, d.rollout().thresholds());
    JsonNode file = JSON.readTree(root.resolve("m/deployment.json").toFile());
    assertEquals(0.05, file.at("/rollout/thresholds/max_feedback_regression").asDouble());
    assertEquals(40, file.at("/rollout/thresholds/min_feedback").asLong());
    assertEquals(t, RolloutJson.fromJson(last().field("rollout")).thresholds());
    assertEquals(t, DeploymentStore.read(root, "m").orElseThrow().rollout().thresholds());
  }
}
