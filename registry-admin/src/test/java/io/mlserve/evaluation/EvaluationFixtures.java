package io.mlserve.evaluation;

import java.time.Duration;
import java.util.List;
import java.util.Random;

/** Evaluations made by the real {@link Evaluator} over small in-memory datasets, for tests. */
final class EvaluationFixtures {
  private EvaluationFixtures() {}

  /**
   * A 2-output regression of 40 rows: candidate 2.0.0 answers x, baseline 1.0.0 answers x·1.1;
   * labels are x + 0.1 on even rows. Each call takes 1 ms of {@code time}.
   */
  static Evaluation regression(FakeTime time, String model, String actor, boolean baseline) {
    Predictor p = (version, batch) -> {
      time.advance(Duration.ofMillis(1).toNanos());
      double[] x = MemoryDatasetSource.inputs(batch);
      double f = version.equals("1.0.0") ? 1.1 : 1.0;
      double[] out = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        out[i] = x[i] * f;
      }
      return new Predictor.Prediction(out, 2);
    };
    int rows = 40;
    double[] x = new double[rows * 2];
    double[] y = new double[rows * 2];
    for (int i = 0; i < x.length; i++) {
      x[i] = 1 + i % 7 + (i % 2) * 3;
      y[i] = x[i] + ((i / 2) % 2 == 0 ? 0.1 : 0);
    }
    EvaluationRequest r = new EvaluationRequest(model, "2.0.0", baseline ? "1.0.0" : null,
        new DatasetRef("held-out", "0f".repeat(32), rows), actor, null, 16,
        Duration.ofMinutes(1), List.of(new CustomMetric("cost", "abs(pred - label)")));
    return new Evaluator(p, time, time, new EvaluationIds(new Random(time.getAsLong())))
        .run(r, new MemoryDatasetSource(x, 2, y, 2), ProgressListener.NONE, () -> false);
  }

  /** A verdict with one passing and one failing gate. */
  static Verdict verdict() {
    return new Verdict(Verdict.Outcome.FAIL, List.of(
        new GateResult("rmse", "<= 1.00 x baseline", 0.05, 0.06, Verdict.Outcome.PASS,
            "0.05 is within 1.00 x 0.06"),
        new GateResult("latency_p95_ms", "<= 1 ms", 1.5, 1.0, Verdict.Outcome.FAIL,
            "1.5 ms is above 1 ms")));
  }
}
