package io.mlserve.evaluation;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Measures how many rows per second the evaluation core scores, apart from any engine: the
 * metric accumulators alone (a 24-value regression like curve_forecaster, a 10-class
 * classification with probabilities), and the whole {@link Evaluator} with a predictor that
 * answers at once (candidate and baseline, metrics, latency, sample). Prints figures; asserts
 * nothing. Run from the module directory after {@code mvn test-compile}:
 * {@code java -cp target/classes:target/test-classes:$(cat cp.txt)
 * io.mlserve.evaluation.AccumulatorBenchmark}.
 */
public final class AccumulatorBenchmark {
  private static final int BATCH = 1024;
  private static final int BATCHES = 1000;

  private AccumulatorBenchmark() {}

  public static void main(String[] args) {
    for (int round = 0; round < 3; round++) {
      System.out.printf("round %d: regression x24 %,.0f rows/s, classification x10 %,.0f"
          + " rows/s, evaluator x24 with baseline %,.0f rows/s%n", round, regression(),
          classification(), evaluator());
    }
  }

  private static double regression() {
    int w = 24;
    SplittableRandom r = new SplittableRandom(1);
    double[] labels = new double[BATCH * w];
    double[] outputs = new double[BATCH * w];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = 0.02 + r.nextDouble() * 0.03;
      outputs[i] = labels[i] + r.nextGaussian() * 0.001;
    }
    MetricAccumulator acc = MetricAccumulator.create(TaskKind.REGRESSION, w, w, 10);
    long t0 = System.nanoTime();
    for (int b = 0; b < BATCHES; b++) {
      acc.add((long) b * BATCH, BATCH, labels, outputs);
    }
    long t1 = System.nanoTime();
    sink(acc.result().value(MetricSet.RMSE));
    return (double) BATCH * BATCHES / ((t1 - t0) / 1e9);
  }

  private static double classification() {
    int w = 10;
    SplittableRandom r = new SplittableRandom(2);
    double[] labels = new double[BATCH];
    double[] outputs = new double[BATCH * w];
    for (int i = 0; i < BATCH; i++) {
      labels[i] = r.nextInt(w);
      double sum = 0;
      for (int j = 0; j < w; j++) {
        outputs[i * w + j] = r.nextDouble();
        sum += outputs[i * w + j];
      }
      for (int j = 0; j < w; j++) {
        outputs[i * w + j] /= sum;
      }
    }
    MetricAccumulator acc = MetricAccumulator.create(TaskKind.CLASSIFICATION, 1, w, 100);
    long t0 = System.nanoTime();
    for (int b = 0; b < BATCHES; b++) {
      acc.add((long) b * BATCH, BATCH, labels, outputs);
    }
    long t1 = System.nanoTime();
    sink(acc.result().value(MetricSet.LOG_LOSS));
    return (double) BATCH * BATCHES / ((t1 - t0) / 1e9);
  }

  private static double evaluator() {
    int w = 24;
    int batches = 200;
    int rows = BATCH * batches;
    SplittableRandom r = new SplittableRandom(3);
    double[] inputs = new double[BATCH * w];
    double[] answer = new double[BATCH * w];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = r.nextDouble();
      answer[i] = inputs[i] + r.nextGaussian() * 0.01;
    }
    // the same batch of rows repeated: the source cost is one small copy per batch
    double[] x = new double[rows * w];
    double[] y = new double[rows * w];
    for (int b = 0; b < batches; b++) {
      System.arraycopy(inputs, 0, x, b * BATCH * w, BATCH * w);
      System.arraycopy(inputs, 0, y, b * BATCH * w, BATCH * w);
    }
    Predictor p = (version, batch) -> new Predictor.Prediction(
        batch.rows() == BATCH ? answer : java.util.Arrays.copyOf(answer, batch.rows() * w), w);
    EvaluationRequest req = new EvaluationRequest("m", "2.0.0", "1.0.0",
        new DatasetRef("bench", "00".repeat(32), rows), "bench", TaskKind.REGRESSION, BATCH,
        Duration.ofHours(1), List.of());
    Evaluator ev = new Evaluator(p, java.time.Clock.systemUTC(), System::nanoTime,
        new EvaluationIds(new Random(4)));
    MemoryDatasetSource source = new MemoryDatasetSource(x, w, y, w);
    long t0 = System.nanoTime();
    Evaluation e = ev.run(req, source, ProgressListener.NONE, () -> false);
    long t1 = System.nanoTime();
    sink(e.candidate().metrics().value(MetricSet.MAE));
    sink((double) Instant.now().getNano());
    return rows / ((t1 - t0) / 1e9);
  }

  private static volatile double blackhole;

  private static void sink(Double v) {
    blackhole = v == null ? 0 : v;
  }
}
