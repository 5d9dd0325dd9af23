package io.mlserve.server.evaluation;

import static io.mlserve.server.evaluation.EvaluationFixture.DATASET;
import static io.mlserve.server.evaluation.EvaluationFixture.MODEL;
import static io.mlserve.server.evaluation.EvaluationFixture.ROWS;
import static io.mlserve.server.evaluation.EvaluationFixture.SHIFT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.evaluation.Evaluation;
import io.mlserve.evaluation.EvaluationEvents;
import io.mlserve.evaluation.EvaluationException;
import io.mlserve.evaluation.MetricSet;
import io.mlserve.evaluation.ProgressListener;
import io.mlserve.evaluation.Verdict;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.Failure;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.testing.FakeTicker;
import io.mlserve.server.testing.Sockets;
import io.mlserve.store.Event;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation as the server runs it, with the real engine and the demo model: metrics
 * against values computed here from the golden outputs, the baseline rules, the stored files
 * and the event, one-at-a-time admission, cancellation and the time limit.
 */
@Timeout(180)
class EvaluationRunnerTest {
  @TempDir Path dir;
  private EvaluationFixture f;
  private EvaluationRunner runner;

  @BeforeEach
  void setUp() throws Exception {
    f = new EvaluationFixture(dir);
    runner = f.runner(Ticker.system(), Duration.ofMinutes(5), 0);
  }

  @AfterEach
  void tearDown() {
    runner.close();
    f.close();
  }

  private static EvaluationOptions batches(int rows) {
    return new EvaluationOptions(rows, null, null, List.of(), null);
  }

  @Test
  void aCandidateIsScoredAgainstProductionStoredWithItsReportAndAnnounced() throws Exception {
    long seqBefore = f.events.lastSeq();
    List<long[]> progress = new ArrayList<>();
    Evaluation e = runner.run(MODEL, "2.0.0", DATASET, null, batches(7), "alice",
        (done, total) -> progress.add(new long[] {done, total}), () -> false);

    assertEquals("1.0.0", e.baselineVersion(), "null baseline = the Production version");
    assertEquals(ROWS, e.candidate().metrics().rows());
    double[] cand = f.maeRmse(SHIFT);
    double[] base = f.maeRmse(0);
    MetricSet c = e.candidate().metrics();
    MetricSet b = e.baseline().metrics();
    assertEquals(cand[0], c.value(MetricSet.MAE), 1e-4);
    assertEquals(cand[1], c.value(MetricSet.RMSE), 1e-4);
    assertEquals(base[0], b.value(MetricSet.MAE), 1e-4);
    assertEquals(base[1], b.value(MetricSet.RMSE), 1e-4);
    assertEquals(cand[0] - base[0], e.deltas().stream()
        .filter(d -> d.metric().equals(MetricSet.MAE)).findFirst().orElseThrow().absolute(),
        1e-4);
    assertEquals(8, progress.size(), "50 rows in batches of 7");
    assertEquals(ROWS, progress.get(progress.size() - 1)[0]);
    assertEquals(ROWS, progress.get(0)[1]);
    assertEquals(8, e.candidate().latency().overall().calls());
    assertEquals(f.datasets.get(MODEL, DATASET).sha256(), e.dataset().sha256());

    // Stored: the JSON (read back equal) and the report beside it.
    Path evals = f.store.versionDir(MODEL, "2.0.0").resolve("evaluations");
    assertTrue(Files.isRegularFile(evals.resolve(e.id() + ".json")));
    assertTrue(Files.readString(evals.resolve(e.id() + ".html")).contains("<html"));
    assertEquals(e, runner.results().read(MODEL, "2.0.0", e.id()));

    // Announced, once, after the set-up's events.
    List<Event> after = f.events.readSince(seqBefore);
    assertEquals(1, after.size());
    Event ev = after.get(0);
    assertEquals(EvaluationEvents.EVALUATED, ev.eventType());
    assertEquals(MODEL, ev.modelName());
    assertEquals("2.0.0", ev.version());
    assertEquals("Development", ev.stage());
    assertEquals(e.id(), ev.fields().get("evaluation_id").asText());
    assertEquals(DATASET, ev.fields().get("dataset").asText());
    assertEquals("1.0.0", ev.fields().get("baseline_version").asText());
    assertEquals(cand[0], ev.fields().get("metrics").get("mae").asDouble(), 1e-4);
    assertEquals(base[0], ev.fields().get("baseline_metrics").get("mae").asDouble(), 1e-4);
    assertEquals(cand[0] - base[0],
        ev.fields().get("deltas").get("mae").get("absolute").asDouble(), 1e-4);
    assertTrue(ev.fields().get("verdict").isNull());
    assertEquals("alice", ev.fields().get("actor").asText());
  }

  @Test
  void aJudgesVerdictIsStoredAndAnnounced() {
    Evaluation e = runner.run(MODEL, "2.0.0", DATASET, Baseline.none(),
        new EvaluationOptions(64, null, null, List.of(),
            ev -> new Verdict(Verdict.Outcome.FAIL, List.of())),
        "bob", ProgressListener.NONE, () -> false);
    assertNull(e.baselineVersion());
    assertEquals(Verdict.Outcome.FAIL, e.verdict().outcome());
    assertEquals(Verdict.Outcome.FAIL,
        runner.results().read(MODEL, "2.0.0", e.id()).verdict().outcome());
    Event ev = f.events.readSince(0).get(f.events.readSince(0).size() - 1);
    assertEquals("fail", ev.fields().get("verdict").asText());
    assertTrue(ev.fields().get("baseline_version").isNull());
    assertTrue(ev.fields().get("deltas").isNull());
  }

  @Test
  void baselineRules() {
    // Production evaluated against "production": no baseline (it is the candidate itself).
    assertNull(runner.run(MODEL, "1.0.0", DATASET, Baseline.production(), batches(64), "a",
        ProgressListener.NONE, () -> false).baselineVersion());
    // An explicit version.
    assertEquals("2.0.0", runner.run(MODEL, "1.0.0", DATASET, Baseline.version("2.0.0"),
        batches(64), "a", ProgressListener.NONE, () -> false).baselineVersion());
    assertEquals("2.0.0", Baseline.parse(" 2.0.0 ").explicitVersion());
    assertTrue(Baseline.parse("Production").isProduction());
    assertTrue(Baseline.parse(null).isProduction());
    assertEquals("none", Baseline.parse("none").toString());

    IllegalArgumentException self = assertThrows(IllegalArgumentException.class,
        () -> runner.run(MODEL, "2.0.0", DATASET, Baseline.version("2.0.0"), null, "a",
            ProgressListener.NONE, () -> false));
    assertEquals("version 2.0.0 cannot be its own baseline", self.getMessage());
    NotFoundException unknownBase = assertThrows(NotFoundException.class,
        () -> runner.run(MODEL, "2.0.0", DATASET, Baseline.version("9.9.9"), null, "a",
            ProgressListener.NONE, () -> false));
    assertEquals("model 'curve_forecaster' has no baseline version '9.9.9' (versions: 1.0.0,"
        + " 2.0.0)", unknownBase.getMessage());
    NotFoundException unknownVersion = assertThrows(NotFoundException.class,
        () -> runner.run(MODEL, "3.0.0", DATASET, null, null, "a", ProgressListener.NONE,
            () -> false));
    assertEquals("model 'curve_forecaster' has no version '3.0.0' (versions: 1.0.0, 2.0.0)",
        unknownVersion.getMessage());
    NotFoundException unknownDataset = assertThrows(NotFoundException.class,
        () -> runner.run(MODEL, "2.0.0", "test", null, null, "a", ProgressListener.NONE,
            () -> false));
    assertEquals("model 'curve_forecaster' has no dataset 'test' (datasets: golden)",
        unknownDataset.getMessage());
    assertEquals(Failure.Code.NOT_FOUND, Failure.of(unknownDataset).code());

    // No Production version: no baseline.
    f.registry.deprecate(MODEL, "1.0.0", "test", "no production");
    assertEquals(Stage.DEPRECATED, f.registry.stageOf(MODEL, "1.0.0"));
    assertNull(runner.run(MODEL, "2.0.0", DATASET, null, batches(64), "a",
        ProgressListener.NONE, () -> false).baselineVersion());
  }

  @Test
  void oneRunsAtATimeAFurtherOneIsRefusedNamingItAndACancelledOneLeavesNoTrace()
      throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean cancel = new AtomicBoolean();
    long seqBefore = f.events.lastSeq();
    CompletableFuture<Evaluation> first = runner.submit(MODEL, "2.0.0", DATASET, null,
        batches(10), "alice", (done, total) -> {
          started.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, cancel::get);
    assertTrue(started.await(60, TimeUnit.SECONDS));

    InferenceException busy = assertThrows(InferenceException.class,
        () -> runner.run(MODEL, "1.0.0", DATASET, null, null, "bob", ProgressListener.NONE,
            () -> false));
    assertEquals(InferenceException.Kind.RESOURCE_EXHAUSTED, busy.kind());
    assertEquals("an evaluation is running (curve_forecaster:2.0.0 on 'golden' against 1.0.0"
        + " by alice); retry when it has finished", busy.getMessage());
    assertTrue(Failure.of(busy).retryLater());

    cancel.set(true);
    release.countDown();
    EvaluationException stopped = (EvaluationException) assertThrows(Exception.class,
        () -> first.get(60, TimeUnit.SECONDS)).getCause();
    assertEquals(EvaluationException.Reason.CANCELLED, stopped.reason());
    assertEquals("evaluation of curve_forecaster:2.0.0 was cancelled after 10 of 50 rows",
        stopped.getMessage());
    assertEquals(Failure.Code.CANCELLED, Failure.of(stopped).code());
    assertTrue(runner.results().list(MODEL, "2.0.0", 10).isEmpty(), "nothing stored");
    assertEquals(seqBefore, f.events.lastSeq(), "no event");
    assertFalse(Files.exists(f.store.versionDir(MODEL, "2.0.0").resolve("evaluations")
        .resolve("x")));

    // The slot is free again.
    assertEquals(ROWS, runner.run(MODEL, "1.0.0", DATASET, null, null, "bob",
        ProgressListener.NONE, () -> false).candidate().metrics().rows());
  }

  @Test
  void aQueuedEvaluationWaitsForTheRunningOne() throws Exception {
    EvaluationRunner queued = f.runner(Ticker.system(), Duration.ofMinutes(5), 1);
    try {
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Evaluation> first = queued.submit(MODEL, "2.0.0", DATASET, null,
          batches(25), "alice", (done, total) -> {
            started.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }, () -> false);
      assertTrue(started.await(60, TimeUnit.SECONDS));
      CompletableFuture<Evaluation> second = queued.submit(MODEL, "1.0.0", DATASET, null,
          null, "bob", ProgressListener.NONE, () -> false);
      Sockets.await(() -> queued.queued() == 1, "the second evaluation queued");
      assertThrows(InferenceException.class, () -> queued.run(MODEL, "1.0.0", DATASET, null,
          null, "carol", ProgressListener.NONE, () -> false), "one running, one queued: full");
      assertFalse(second.isDone());
      release.countDown();
      assertEquals("alice", first.get(60, TimeUnit.SECONDS).actor());
      assertEquals("bob", second.get(60, TimeUnit.SECONDS).actor());
    } finally {
      queued.close();
    }
  }

  @Test
  void anEvaluationStopsAtItsTimeLimit() {
    FakeTicker ticker = new FakeTicker();
    EvaluationRunner limited = f.runner(ticker, Duration.ofSeconds(30), 0);
    try {
      EvaluationException e = assertThrows(EvaluationException.class, () -> limited.run(MODEL,
          "2.0.0", DATASET, Baseline.none(), batches(20), "a",
          (done, total) -> ticker.advance(20, TimeUnit.SECONDS), () -> false));
      assertEquals(EvaluationException.Reason.TIMED_OUT, e.reason());
      assertEquals("evaluation of curve_forecaster:2.0.0 stopped at its time limit of 30 s,"
          + " after 40 of 50 rows", e.getMessage());
      assertEquals(Failure.Code.DEADLINE_EXCEEDED, Failure.of(e).code());
      assertTrue(limited.results().list(MODEL, "2.0.0", 10).isEmpty());
    } finally {
      limited.close();
    }
  }

  @Test
  void badOptionsAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new EvaluationOptions(0, null, null, List.of(), null));
    assertEquals("the batch size must be between 1 and 65536, got 0", e.getMessage());
    IllegalArgumentException output = assertThrows(IllegalArgumentException.class,
        () -> runner.run(MODEL, "2.0.0", DATASET, null, new EvaluationOptions(64, null, "nope",
            List.of(), null), "a", ProgressListener.NONE, () -> false));
    assertEquals("curve_forecaster:2.0.0 has no output 'nope' (outputs: forecast)",
        output.getMessage());
  }

  @Test
  void evaluationInstancesRunLargeEngineCalls() throws Exception {
    io.mlserve.store.Manifest demo = f.store.manifest(MODEL, "1.0.0");
    assertEquals(64, demo.serving().maxBatchSize());
    assertEquals(EvaluationRunner.ENGINE_BATCH,
        EvaluationRunner.forEvaluation(demo).serving().maxBatchSize());
    io.mlserve.store.Manifest one = EvaluationRunner.forEvaluation(new io.mlserve.store.Manifest(
        demo.name(), demo.version(), demo.format(), demo.artifact(), demo.platform(),
        demo.sha256(), demo.runId(), demo.signature(), demo.serving().withMaxBatchSize(1),
        demo.params(), demo.metrics(), demo.description(), demo.createdAt()));
    assertEquals(1, one.serving().maxBatchSize(), "a model that takes one row a call keeps it");
  }
}
