package io.mlserve.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassificationAccumulatorTest {
  private static final double TOL = 1e-12;

  private static MetricAccumulator classification(int width, int maxClasses) {
    return MetricAccumulator.create(TaskKind.CLASSIFICATION, 1, width, maxClasses);
  }

  @Test
  void handComputedThreeClassesWithProbabilities() {
    // label | probabilities -> argmax
    // 0 | .7 .2 .1 -> 0 (right)
    // 1 | .1 .6 .3 -> 1 (right)
    // 2 | .2 .5 .3 -> 1 (wrong)
    // 1 | .3 .4 .3 -> 1 (right)
    // 0 | .2 .3 .5 -> 2 (wrong)
    MetricAccumulator acc = classification(3, 10);
    acc.add(0, 5, new double[] {0, 1, 2, 1, 0}, new double[] {
        .7, .2, .1, .1, .6, .3, .2, .5, .3, .3, .4, .3, .2, .3, .5});
    MetricSet m = acc.result();
    // accuracy = 3/5
    assertEquals(0.6, m.value(MetricSet.ACCURACY), TOL);
    // class 0: tp 1, predicted 1, actual 2 -> P 1, R 1/2, F1 2/3
    // class 1: tp 2, predicted 3, actual 2 -> P 2/3, R 1, F1 0.8
    // class 2: tp 0, predicted 1, actual 1 -> P 0, R 0, F1 0
    // macro P = (1 + 2/3 + 0)/3, R = (0.5 + 1 + 0)/3, F1 = (2/3 + 0.8 + 0)/3
    assertEquals(0.5555555555555555, m.value(MetricSet.PRECISION), TOL);
    assertEquals(0.5, m.value(MetricSet.RECALL), TOL);
    assertEquals(0.48888888888888893, m.value(MetricSet.F1), TOL);
    // log-loss = -(ln .7 + ln .6 + ln .3 + ln .4 + ln .2)/5
    //          = (0.35667 + 0.51083 + 1.20397 + 0.91629 + 1.60944)/5
    assertEquals(0.9194404032677829, m.value(MetricSet.LOG_LOSS), 1e-12);
    assertEquals(3L, m.counts().get("classes"));
    assertEquals(3L, m.counts().get("correct"));
  }

  @Test
  void aClassNeverPredictedCountsWithPrecisionZero() {
    // one-value outputs are the class itself. labels 0 0 1 2, predictions 0 0 0 2:
    // class 0: tp 2, predicted 3, actual 2 -> P 2/3, R 1, F1 0.8
    // class 1: tp 0, predicted 0, actual 1 -> P 0 (never predicted), R 0, F1 0
    // class 2: tp 1, predicted 1, actual 1 -> P 1, R 1, F1 1
    // macro P = (2/3 + 0 + 1)/3 = 0.5555..; R = (1 + 0 + 1)/3; F1 = (0.8 + 0 + 1)/3 = 0.6
    MetricAccumulator acc = classification(1, 10);
    acc.add(0, 4, new double[] {0, 0, 1, 2}, new double[] {0, 0, 0, 2});
    MetricSet m = acc.result();
    assertEquals(0.75, m.value(MetricSet.ACCURACY), TOL);
    assertEquals(0.5555555555555555, m.value(MetricSet.PRECISION), TOL);
    assertEquals(0.6666666666666666, m.value(MetricSet.RECALL), TOL);
    assertEquals(0.6, m.value(MetricSet.F1), TOL);
    assertNull(m.value(MetricSet.LOG_LOSS));
    assertTrue(m.notes().contains("1 class(es) seen in the labels were never predicted; their"
        + " precision counts as 0 in the macro average"), m.notes().toString());
    assertTrue(m.notes().contains("log-loss is not computed: the model answers a class index"
        + " per row, not probabilities"), m.notes().toString());
  }

  @Test
  void scoresThatAreNotProbabilitiesLeaveLogLossOutAndSayWhy() {
    // logits: argmax still works; row 7 (first row 6 + 1) sums to 3.0
    MetricAccumulator acc = classification(2, 10);
    acc.add(6, 2, new double[] {0, 1}, new double[] {0.9, 0.1, 1.0, 2.0});
    MetricSet m = acc.result();
    assertEquals(1.0, m.value(MetricSet.ACCURACY), TOL);
    assertNull(m.value(MetricSet.LOG_LOSS));
    assertTrue(m.notes().contains("log-loss is not computed: the outputs are not probabilities"
        + " (row 7, value 1 is 2.0, outside [0, 1])"), m.notes().toString());
  }

  @Test
  void logLossClipsACertainWrongAnswer() {
    // p(label) = 0 is clipped to 1e-15: -ln(1e-15) = 34.538776394910684
    MetricAccumulator acc = classification(2, 10);
    acc.add(0, 1, new double[] {1}, new double[] {1.0, 0.0});
    assertEquals(34.538776394910684, acc.result().value(MetricSet.LOG_LOSS), 1e-9);
  }

  @Test
  void badLabelsAndTooManyClassesAreRefused() {
    MetricAccumulator acc = classification(1, 100);
    assertEquals("row 3: the label 1.5 is not a class index (a non-negative integer)",
        assertThrows(IllegalArgumentException.class,
            () -> acc.add(3, 1, new double[] {1.5}, new double[] {1})).getMessage());
    assertEquals("row 0: class 100 is beyond the limit of 100 classes",
        assertThrows(IllegalArgumentException.class,
            () -> acc.add(0, 1, new double[] {100}, new double[] {1})).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> acc.add(0, 1, new double[] {1}, new double[] {0.7})).getMessage()
        .startsWith("row 0: the output 0.7 is not a class index"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> MetricAccumulator.create(TaskKind.CLASSIFICATION, 2, 3, 10)).getMessage()
        .contains("needs one label per row"));
  }

  @Test
  void mergeOfTwoHalvesEqualsTheWhole() {
    Random random = new Random(7);
    for (int trial = 0; trial < 50; trial++) {
      int width = 2 + random.nextInt(5);
      int rows = 2 + random.nextInt(300);
      double[] labels = new double[rows];
      double[] outputs = new double[rows * width];
      boolean breakProbabilities = random.nextBoolean();
      for (int r = 0; r < rows; r++) {
        labels[r] = random.nextInt(width + 1);
        double sum = 0;
        for (int j = 0; j < width; j++) {
          outputs[r * width + j] = random.nextDouble();
          sum += outputs[r * width + j];
        }
        for (int j = 0; j < width; j++) {
          outputs[r * width + j] /= sum;
        }
      }
      if (breakProbabilities) {
        outputs[random.nextInt(outputs.length)] = 3.0;
      }
      int split = 1 + random.nextInt(rows - 1);
      MetricAccumulator whole = classification(width, 100);
      whole.add(0, rows, labels, outputs);
      MetricAccumulator a = classification(width, 100);
      MetricAccumulator b = classification(width, 100);
      a.add(0, split, RegressionAccumulatorTest.slice(labels, 0, split),
          RegressionAccumulatorTest.slice(outputs, 0, split * width));
      b.add(split, rows - split, RegressionAccumulatorTest.slice(labels, split, rows),
          RegressionAccumulatorTest.slice(outputs, split * width, rows * width));
      a.merge(b);
      RegressionAccumulatorTest.assertSameMetrics(whole.result(), a.result());
    }
  }

  @Test
  void automaticKindChoice() {
    assertEquals(TaskKind.CLASSIFICATION, TaskKind.choose(new double[] {0, 2, 1}, 1, 3));
    assertEquals(TaskKind.REGRESSION, TaskKind.choose(new double[] {0, 2.5}, 1, 3));
    assertEquals(TaskKind.REGRESSION, TaskKind.choose(new double[] {0, 2}, 1, 1));
    assertEquals(TaskKind.REGRESSION, TaskKind.choose(new double[] {0, 2, 1, 1}, 2, 2));
    assertEquals(TaskKind.REGRESSION, TaskKind.choose(new double[] {-1}, 1, 3));
    assertNull(TaskKind.parse("auto"));
    assertEquals(TaskKind.CLASSIFICATION, TaskKind.parse("Classification"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TaskKind.parse("ranking"))
        .getMessage().contains("expected regression, classification or auto"));
  }
}
