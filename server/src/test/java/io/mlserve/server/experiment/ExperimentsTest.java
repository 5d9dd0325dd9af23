package io.mlserve.server.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.core.InferenceException.Kind;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.FakeTicker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The facade: recording, feedback joins and their refusals, windows per split. */
class ExperimentsTest {
  private static final Map<String, Double> SPLIT = Map.of("1.0.0", 90.0, "2.0.0", 10.0);
  private final FakeTicker ticker = new FakeTicker();
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final Experiments ex = new Experiments(
      ExperimentConfig.defaults().withLog(1000, 1 << 20, Duration.ofMinutes(10)), ticker, clock);

  private static Tensor[] floats(long[] shape, float... v) {
    return new Tensor[] {Tensor.ofFloats("y", shape, v)};
  }

  private void answer(String id, String version, Tensor[] out) {
    ex.record("m", version, id, out, true, 1_000_000, null);
  }

  private static InferenceException refused(Kind kind, Runnable r) {
    InferenceException e = assertThrows(InferenceException.class, r::run);
    assertEquals(kind, e.kind(), e.getMessage());
    return e;
  }

  @Test
  void numericLabelGivesMaeAndRmse() {
    ex.splitChanged("m", "s1", SPLIT);
    answer("r1", "1.0.0", floats(new long[] {1, 3}, 1, 2, 3));
    FeedbackResult r = ex.feedback("m", "r1", new double[] {1.5, 2, 1}, null);
    // errors 0.5, 0, 2: MAE 2.5/3, RMSE sqrt(4.25/3)
    assertEquals(2.5 / 3, r.outcomes().get(Metric.MAE), 1e-12);
    assertEquals(Math.sqrt(4.25 / 3), r.outcomes().get(Metric.RMSE), 1e-12);
    assertEquals("1.0.0", r.version());
    assertTrue(r.counted());
    assertEquals("current", r.window());
    assertEquals("s1", r.splitId());
    AbWindow w = ex.report("m").current();
    AbWindow.Arm arm = w.arms().get(0);
    assertEquals("1.0.0", arm.version());
    assertEquals(1, arm.requests());
    assertEquals(2.5 / 3, arm.outcomes().get(0).value(), 1e-12);
    assertEquals(Metric.RMSE, arm.outcomes().get(1).metric());
    assertEquals(Math.sqrt(4.25 / 3), arm.outcomes().get(1).value(), 1e-12);
    assertEquals(1.0, arm.p50Ms(), 0.01);
  }

  @Test
  void classLabelsGiveAccuracyPerRow() {
    answer("r1", "2.0.0", floats(new long[] {2, 3}, 0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f));
    FeedbackResult r = ex.feedback("m", "r1", new double[] {1, 2}, null);
    assertEquals(0.5, r.outcomes().get(Metric.ACCURACY), 1e-12);
    AbWindow.Outcome acc = ex.report("m").current().arms().get(0).outcomes().get(0);
    assertEquals(Metric.ACCURACY, acc.metric());
    assertEquals(2, acc.n(), "rows count for accuracy");
    assertEquals(0.5, acc.value(), 1e-12);
  }

  @Test
  void rewardIsTheNumber() {
    answer("r1", "1.0.0", floats(new long[] {1, 1}, 7));
    assertEquals(3.5, ex.feedback("m", "r1", null, 3.5).outcomes().get(Metric.REWARD));
  }

  @Test
  void labelsThatDoNotFitAreRefusedNamingWhatFits() {
    answer("r1", "1.0.0", floats(new long[] {2, 3}, 1, 2, 3, 4, 5, 6));
    assertEquals("label has 5 values; the prediction of request 'r1' (output 'y', shape"
        + " [2, 3]) takes 6 numbers (one per output value) or 2 class indices (one per row,"
        + " each in [0, 3))",
        refused(Kind.INVALID_ARGUMENT, () -> ex.feedback("m", "r1", new double[5], null))
            .getMessage());
    assertEquals("class label 1 is 3: a class label is an integer in [0, 3) for an output with"
        + " 3 values per row", refused(Kind.INVALID_ARGUMENT,
            () -> ex.feedback("m", "r1", new double[] {0, 3}, null)).getMessage());
    assertEquals("class label 0 is 0.5: a class label is an integer in [0, 3) for an output"
        + " with 3 values per row", refused(Kind.INVALID_ARGUMENT,
            () -> ex.feedback("m", "r1", new double[] {0.5, 1}, null)).getMessage());
    assertEquals("label value 1 is not a finite number: NaN", refused(Kind.INVALID_ARGUMENT,
        () -> ex.feedback("m", "r1", new double[] {1, Double.NaN}, null)).getMessage());
    assertEquals("reward must be a finite number, got Infinity", refused(
        Kind.INVALID_ARGUMENT, () -> ex.feedback("m", "r1", null, Double.POSITIVE_INFINITY))
            .getMessage());
    assertEquals("give either a label or a reward, not both", refused(Kind.INVALID_ARGUMENT,
        () -> ex.feedback("m", "r1", new double[] {1, 2}, 1.0)).getMessage());
    assertEquals("give a label (an array of numbers) or a reward (a number)",
        refused(Kind.INVALID_ARGUMENT, () -> ex.feedback("m", "r1", null, null)).getMessage());
    // none of the refusals used up the prediction's feedback
    assertTrue(ex.feedback("m", "r1", new double[] {2, 0}, null).counted());
  }

  @Test
  void oneOutputValuePerRowTakesNumbersOnly() {
    answer("r1", "1.0.0", floats(new long[] {2, 1}, 1, 2));
    assertEquals("label has 1 value; the prediction of request 'r1' (output 'y', shape [2, 1])"
        + " takes 2 numbers (one per output value)", refused(Kind.INVALID_ARGUMENT,
            () -> ex.feedback("m", "r1", new double[] {1}, null)).getMessage());
  }

  @Test
  void feedbackTwiceIsRefused() {
    answer("r1", "1.0.0", floats(new long[] {1, 1}, 1));
    ex.feedback("m", "r1", null, 1.0);
    assertEquals("feedback for request 'r1' was already recorded; a prediction takes feedback"
        + " once", refused(Kind.INVALID_ARGUMENT, () -> ex.feedback("m", "r1", null, 2.0))
            .getMessage());
    AbWindow.Outcome reward = ex.report("m").current().arms().get(0).outcomes().get(0);
    assertEquals(1, reward.n(), "counted once");
  }

  @Test
  void unknownExpiredAndOtherModelsIdsAreNotFound() {
    assertEquals("no recent prediction has request id 'nope': it was never made, was not kept,"
        + " or was evicted (the server keeps the predictions a traffic split routed or whose"
        + " request sent its own id, the last 1000 of them, up to 1 MiB, for 10 min)",
        refused(Kind.NOT_FOUND, () -> ex.feedback("m", "nope", null, 1.0)).getMessage());
    answer("r1", "1.0.0", floats(new long[] {1, 1}, 1));
    assertEquals("request 'r1' was answered by model 'm', not 'other'",
        refused(Kind.NOT_FOUND, () -> ex.feedback("other", "r1", null, 1.0)).getMessage());
    ticker.advance(12, TimeUnit.MINUTES);
    assertEquals("the prediction of request 'r1' has expired: it was made 12 min ago, and"
        + " feedback is taken for 10 min",
        refused(Kind.NOT_FOUND, () -> ex.feedback("m", "r1", null, 1.0)).getMessage());
    assertEquals("model is missing",
        refused(Kind.INVALID_ARGUMENT, () -> ex.feedback(" ", "r1", null, 1.0)).getMessage());
    assertEquals("request_id is missing",
        refused(Kind.INVALID_ARGUMENT, () -> ex.feedback("m", "", null, 1.0)).getMessage());
  }

  @Test
  void requestsThatNamedTheirVersionAreInNoWindow() {
    ex.splitChanged("m", "s1", SPLIT);
    ex.record("m", "1.0.0", "r1", floats(new long[] {1, 1}, 1), false, 1000, null);
    FeedbackResult r = ex.feedback("m", "r1", null, 1.0);
    assertFalse(r.counted());
    assertNull(r.window());
    assertTrue(r.note().contains("named its version or stage"), r.note());
    AbWindow w = ex.report("m").current();
    assertTrue(w.arms().stream().allMatch(a -> a.requests() == 0 && a.outcomes().isEmpty()));
  }

  @Test
  void errorsCountPerArmAndLogNothing() {
    ex.record("m", "2.0.0", "r1", null, true, 5000, Kind.INTERNAL);
    ex.record("m", "2.0.0", "r2", floats(new long[] {1, 1}, 1), true, 5000, null);
    AbWindow.Arm arm = ex.report("m").current().arms().get(0);
    assertEquals(2, arm.requests());
    assertEquals(1, arm.errors());
    assertEquals(0.5, arm.errorRate());
    assertEquals(1, ex.predictionsHeld());
    refused(Kind.NOT_FOUND, () -> ex.feedback("m", "r1", null, 1.0));
  }

  @Test
  void aSplitChangeStartsANewWindowAndKeepsThePreviousOne() {
    ex.splitChanged("m", "s1", SPLIT);
    answer("a", "1.0.0", floats(new long[] {1, 1}, 1));
    answer("a2", "1.0.0", floats(new long[] {1, 1}, 1));
    ex.splitChanged("m", "s1", SPLIT);
    assertEquals(2, ex.report("m").current().arms().get(0).requests(),
        "the same split announced again keeps its window");

    ex.splitChanged("m", "s2", Map.of("1.0.0", 50.0, "2.0.0", 50.0));
    answer("b", "2.0.0", floats(new long[] {1, 1}, 1));
    AbReport report = ex.report("m");
    assertEquals("s2", report.current().splitId());
    assertEquals("s1", report.previous().splitId());
    assertEquals(clock.millis(), report.previous().endedAtMillis());
    assertNull(report.current().endedAtMillis());
    FeedbackResult late = ex.feedback("m", "a", null, 1.0);
    assertTrue(late.counted());
    assertEquals("previous", late.window());
    assertEquals(2, report.previous().arms().stream().mapToLong(AbWindow.Arm::requests).sum());

    ex.splitChanged("m", "s3", Map.of("2.0.0", 100.0));
    assertEquals("previous", ex.feedback("m", "b", null, 1.0).window(), "s2 is now previous");
    FeedbackResult gone = ex.feedback("m", "a2", null, 1.0);
    assertFalse(gone.counted(), "s1's window is gone");
    assertTrue(gone.note().contains("replaced twice"), gone.note());
    ex.splitChanged("m", null, Map.of());
    AbReport cleared = ex.report("m");
    assertNull(cleared.current(), "split cleared");
    assertEquals("s3", cleared.previous().splitId());
  }

  @Test
  void armsAndModelsAreBounded() {
    Experiments small = new Experiments(new ExperimentConfig(100, 1 << 20,
        Duration.ofMinutes(1), 2, 2, 30), ticker, clock);
    for (String v : new String[] {"1.0.0", "2.0.0", "3.0.0"}) {
      small.record("m", v, null, null, true, 1000, null);
    }
    AbWindow w = small.report("m").current();
    assertEquals(2, w.arms().size());
    assertEquals(1, w.untrackedRequests());
    small.record("m2", "1.0.0", null, null, true, 1000, null);
    small.record("m3", "1.0.0", "r", floats(new long[] {1, 1}, 1), true, 1000, null);
    assertNull(small.report("m3").current(), "third model: no window");
    assertFalse(small.feedback("m3", "r", null, 1.0).counted(), "but still joinable");
    assertEquals(2, small.counters().stream().map(Experiments.ArmCounters::model)
        .distinct().count());
  }

  @Test
  void concurrentFeedbackCountsEachPredictionOnce() throws Exception {
    ex.splitChanged("m", "s1", SPLIT);
    int n = 800;
    for (int i = 0; i < n; i++) {
      answer("r" + i, i % 2 == 0 ? "1.0.0" : "2.0.0", floats(new long[] {1, 1}, 1));
    }
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < n; i++) {
            try {
              ex.feedback("m", "r" + i, null, 1.0);
              accepted.incrementAndGet();
            } catch (InferenceException e) {
              assertTrue(e.getMessage().contains("already recorded"), e.getMessage());
              refused.incrementAndGet();
            }
            if (i % 100 == 0) {
              ex.report("m");
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(n, accepted.get());
    assertEquals(3 * n, refused.get());
    long counted = ex.report("m").current().arms().stream()
        .mapToLong(a -> a.outcomes().get(0).n()).sum();
    assertEquals(n, counted);
  }
}
