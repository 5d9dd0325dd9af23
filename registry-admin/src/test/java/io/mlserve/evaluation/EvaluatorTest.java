package io.mlserve.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
  private static final double TOL = 1e-12;
  private static final Instant T0 = Instant.parse("2026-11-29T20:00:00Z");
  private static final DatasetRef DATA = new DatasetRef("test", "ab".repeat(32), 5);

  private final FakeTime time = new FakeTime(T0);
  private final AtomicInteger calls = new AtomicInteger();

  /** Candidate 2.0.0 answers x, baseline 1.0.0 answers x + 1; 1 µs / 2 µs per row. */
  private final Predictor shifted = (version, batch) -> {
    calls.incrementAndGet();
    double[] x = MemoryDatasetSource.inputs(batch);
    double shift = version.equals("1.0.0") ? 1 : 0;
    time.advance(batch.rows() * (version.equals("1.0.0") ? 2_000L : 1_000L));
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] + shift;
    }
    return new Predictor.Prediction(out, 1);
  };

  private Evaluator evaluator(Predictor p) {
    return new Evaluator(p, time, time, new EvaluationIds(new Random(1)));
  }

  private static EvaluationRequest request(String baseline, int batchSize) {
    return new EvaluationRequest("m", "2.0.0", baseline, DATA, "alice", null, batchSize,
        Duration.ofMinutes(1), List.of());
  }

  private static MemoryDatasetSource fiveRows() {
    return MemoryDatasetSource.of(new double[] {1, 2, 3, 4, 6}, new double[] {1, 2, 3, 4, 5});
  }

  @Test
  void regressionAgainstABaselineWithDeltasLatencyAndProgress() {
    List<String> progress = new ArrayList<>();
    Evaluation e = evaluator(shifted).run(request("1.0.0", 2), fiveRows(),
        (done, total) -> progress.add(done + "/" + total), () -> false);

    assertEquals(List.of("2/5", "4/5", "5/5"), progress);
    assertEquals(TaskKind.REGRESSION, e.kind());
    assertEquals(T0, e.startedAt());
    // candidate 5 rows x 1 µs + baseline 5 rows x 2 µs
    assertEquals(T0.plusNanos(15_000), e.finishedAt());
    assertTrue(e.id().startsWith("20261129T200000000Z-"), e.id());
    assertTrue(EvaluationIds.isValid(e.id()));
    assertEquals("alice", e.actor());
    assertEquals(DATA, e.dataset());
    assertNull(e.verdict());
    // candidate errors 0 0 0 0 1: MAE 1/5, RMSE √(1/5)
    assertEquals(0.2, e.candidate().metrics().value(MetricSet.MAE), TOL);
    assertEquals(Math.sqrt(0.2), e.candidate().metrics().value(MetricSet.RMSE), TOL);
    // baseline errors 1 1 1 1 2: MAE 6/5, RMSE √(8/5)
    assertEquals(1.2, e.baseline().metrics().value(MetricSet.MAE), TOL);
    assertEquals(Math.sqrt(1.6), e.baseline().metrics().value(MetricSet.RMSE), TOL);
    Delta mae = e.deltas().get(0);
    assertEquals(MetricSet.MAE, mae.metric());
    // 0.2 - 1.2 = -1.0; relative -1.0 / 1.2
    assertEquals(-1.0, mae.absolute(), TOL);
    assertEquals(-0.8333333333333334, mae.relative(), TOL);
    // candidate: calls of 2, 2 and 1 rows at 1 µs per row
    Latency lat = e.candidate().latency();
    assertEquals(3, lat.overall().calls());
    assertEquals(5, lat.overall().rows());
    assertEquals(2, lat.byBatchSize().size());
    assertEquals(1, lat.byBatchSize().get(0).batchSize());
    assertEquals(0.001, lat.byBatchSize().get(0).p99Ms(), 0.001 * 0.001);
    assertEquals(2, lat.byBatchSize().get(1).batchSize());
    assertEquals(2, lat.byBatchSize().get(1).calls());
    assertEquals(0.002, lat.byBatchSize().get(1).p50Ms(), 0.002 * 0.001);
    // baseline: 2 µs per row
    assertEquals(0.004, e.baseline().latency().byBatchSize().get(1).p95Ms(), 0.004 * 0.001);
    // every value sampled (5 < 2,000), in row order, with both predictions
    assertEquals(5, e.sample().size());
    assertEquals(new SamplePoint(4, 0, 5, 6, 7.0), e.sample().get(4));
  }

  @Test
  void withoutABaselineThereAreNoDeltas() {
    Evaluation e = evaluator(shifted).run(request(null, 1024), fiveRows(),
        ProgressListener.NONE, () -> false);
    assertNull(e.baseline());
    assertNull(e.baselineVersion());
    assertTrue(e.deltas().isEmpty());
    assertEquals(1, calls.get());
    assertNull(e.sample().get(0).baseline());
  }

  @Test
  void integerLabelsAndProbabilityRowsAreAClassification() {
    // x is the true class; the model puts 0.8 on class x, except on row 2 where it is wrong
    Predictor p = (version, batch) -> {
      double[] x = MemoryDatasetSource.inputs(batch);
      double[] out = new double[x.length * 2];
      for (int r = 0; r < x.length; r++) {
        int cls = (int) x[r] ^ (batch.firstRow() + r == 2 ? 1 : 0);
        out[r * 2 + cls] = 0.8;
        out[r * 2 + 1 - cls] = 0.2;
      }
      return new Predictor.Prediction(out, 2);
    };
    Evaluation e = evaluator(p).run(request(null, 3), MemoryDatasetSource.of(
        new double[] {0, 1, 1, 0}, new double[] {0, 1, 1, 0}), ProgressListener.NONE,
        () -> false);
    assertEquals(TaskKind.CLASSIFICATION, e.kind());
    // 3 of 4 right; log-loss = -(3 ln 0.8 + ln 0.2)/4
    assertEquals(0.75, e.candidate().metrics().value(MetricSet.ACCURACY), TOL);
    assertEquals(-(3 * Math.log(0.8) + Math.log(0.2)) / 4,
        e.candidate().metrics().value(MetricSet.LOG_LOSS), TOL);
    assertEquals(new SamplePoint(2, 0, 1, 0, null), e.sample().get(2));
  }

  @Test
  void cancellingStopsBeforeTheNextCall() {
    AtomicBoolean cancel = new AtomicBoolean();
    EvaluationException ex = assertThrows(EvaluationException.class,
        () -> evaluator(shifted).run(request("1.0.0", 2), fiveRows(),
            (done, total) -> cancel.set(true), cancel::get));
    assertEquals(EvaluationException.Reason.CANCELLED, ex.reason());
    assertEquals("evaluation of m:2.0.0 was cancelled after 2 of 5 rows", ex.getMessage());
    assertEquals(2, calls.get());
  }

  @Test
  void anInterruptCancels() {
    Thread.currentThread().interrupt();
    try {
      EvaluationException ex = assertThrows(EvaluationException.class,
          () -> evaluator(shifted).run(request(null, 2), fiveRows(), ProgressListener.NONE,
              () -> false));
      assertEquals(EvaluationException.Reason.CANCELLED, ex.reason());
      assertEquals(0, calls.get());
    } finally {
      assertTrue(Thread.interrupted());
    }
  }

  @Test
  void theTimeLimitStopsTheRun() {
    Predictor slow = (version, batch) -> {
      time.advance(Duration.ofSeconds(10).toNanos());
      return shifted.predict(version, batch);
    };
    EvaluationRequest r = new EvaluationRequest("m", "2.0.0", null, DATA, "alice", null, 2,
        Duration.ofSeconds(15), List.of());
    EvaluationException ex = assertThrows(EvaluationException.class,
        () -> evaluator(slow).run(r, fiveRows(), ProgressListener.NONE, () -> false));
    assertEquals(EvaluationException.Reason.TIMED_OUT, ex.reason());
    assertEquals("evaluation of m:2.0.0 stopped at its time limit of 15 s, after 4 of 5 rows",
        ex.getMessage());
  }

  @Test
  void aFailingVersionFailsTheRunNamingVersionAndRows() {
    Predictor failing = (version, batch) -> {
      if (version.equals("1.0.0") && batch.firstRow() == 2) {
        throw new IllegalStateException("java.lang.OutOfMemoryError: tensor too big");
      }
      return shifted.predict(version, batch);
    };
    EvaluationException ex = assertThrows(EvaluationException.class,
        () -> evaluator(failing).run(request("1.0.0", 2), fiveRows(), ProgressListener.NONE,
            () -> false));
    assertEquals(EvaluationException.Reason.FAILED, ex.reason());
    assertEquals("version 1.0.0 failed on rows 2-3: tensor too big", ex.getMessage());
  }

  @Test
  void wrongAnswersAreRefused() {
    Predictor short1 = (version, batch) -> new Predictor.Prediction(new double[] {1}, 1);
    EvaluationException ex = assertThrows(EvaluationException.class,
        () -> evaluator(short1).run(request(null, 2), fiveRows(), ProgressListener.NONE,
            () -> false));
    assertEquals("version 2.0.0 answered 1 rows for the 2 rows 0-1", ex.getMessage());

    Predictor nan = (version, batch) -> new Predictor.Prediction(new double[] {1, Double.NaN},
        1);
    ex = assertThrows(EvaluationException.class,
        () -> evaluator(nan).run(request(null, 2), fiveRows(), ProgressListener.NONE,
            () -> false));
    assertEquals("version 2.0.0: row 1, value 0: the output is NaN, not a finite number",
        ex.getMessage());

    Predictor wide = (version, batch) -> new Predictor.Prediction(new double[batch.rows() * 3],
        3);
    EvaluationRequest regression = new EvaluationRequest("m", "2.0.0", null, DATA, "alice",
        TaskKind.REGRESSION, 2, Duration.ofMinutes(1), List.of());
    ex = assertThrows(EvaluationException.class,
        () -> evaluator(wide).run(regression, fiveRows(), ProgressListener.NONE, () -> false));
    assertTrue(ex.getMessage().startsWith("version 2.0.0: a regression compares each output"),
        ex.getMessage());
  }

  @Test
  void anEmptyDatasetFails() {
    EvaluationException ex = assertThrows(EvaluationException.class,
        () -> evaluator(shifted).run(request(null, 2),
            MemoryDatasetSource.of(new double[0], new double[0]), ProgressListener.NONE,
            () -> false));
    assertEquals("dataset 'test' has no rows", ex.getMessage());
  }

  @Test
  void customMetricsAreAveragedPerValue() {
    // under-forecasts cost 3 per unit, over-forecasts 1. baseline (x + 1) errors: +1 +1 +1 +1
    // +2 -> cost (1 + 1 + 1 + 1 + 2)/5 = 1.2; candidate (x) errors 0 0 0 0 +1 -> 1/5 = 0.2.
    // "under" is 1 where pred < label: never, so 0 for both.
    EvaluationRequest r = new EvaluationRequest("m", "2.0.0", "1.0.0", DATA, "alice", null, 2,
        Duration.ofMinutes(1), List.of(
            new CustomMetric("cost", "abs(pred - label) * (pred < label ? 3 : 1)"),
            new CustomMetric("under", "pred < label")));
    Evaluation e = evaluator(shifted).run(r, fiveRows(), ProgressListener.NONE, () -> false);
    assertEquals(0.2, e.candidate().metrics().value("cost"), TOL);
    assertEquals(1.2, e.baseline().metrics().value("cost"), TOL);
    assertEquals(0.0, e.candidate().metrics().value("under"), TOL);
    Delta cost = e.deltas().stream().filter(d -> d.metric().equals("cost")).findFirst()
        .orElseThrow();
    assertEquals(-1.0, cost.absolute(), TOL);
  }

  @Test
  void aBadCustomMetricFailsNamingIt() {
    EvaluationRequest r = new EvaluationRequest("m", "2.0.0", null, DATA, "alice", null, 2,
        Duration.ofMinutes(1), List.of(new CustomMetric("cost", "abs(pred - lable)")));
    EvaluationException ex = assertThrows(EvaluationException.class,
        () -> evaluator(shifted).run(r, fiveRows(), ProgressListener.NONE, () -> false));
    assertEquals("version 2.0.0: custom metric 'cost': at character 12: unknown variable"
        + " 'lable'; the variables are [pred, label, output]", ex.getMessage());
  }

  @Test
  void theSampleIsBoundedAndDistinct() {
    int rows = 10_000;
    double[] x = new double[rows];
    for (int i = 0; i < rows; i++) {
      x[i] = i;
    }
    Evaluator small = new Evaluator(shifted, time, time, new EvaluationIds(new Random(3)),
        100, 50);
    Evaluation e = small.run(request(null, 333), MemoryDatasetSource.of(x, x.clone()),
        ProgressListener.NONE, () -> false);
    assertEquals(50, e.sample().size());
    Set<Long> seen = new HashSet<>();
    for (SamplePoint p : e.sample()) {
      assertTrue(seen.add(p.row()));
      assertEquals(p.row(), (long) p.label());
    }
    assertFalse(seen.stream().allMatch(r -> r < 50), "the sample is not just the first rows");
  }

  @Test
  void theSourceIsReadOnceAndLeftOpenForTheCaller() {
    MemoryDatasetSource source = fiveRows();
    evaluator(shifted).run(request("1.0.0", 2), source, ProgressListener.NONE, () -> false);
    assertNull(source.next(10));
    assertFalse(source.closed);
  }
}
