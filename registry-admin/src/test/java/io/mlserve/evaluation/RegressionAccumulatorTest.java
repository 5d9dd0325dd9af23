package io.mlserve.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RegressionAccumulatorTest {
  private static final double TOL = 1e-12;

  private static MetricAccumulator regression(int width) {
    return MetricAccumulator.create(TaskKind.REGRESSION, width, width, 10);
  }

  @Test
  void handComputedTwoOutputs() {
    // rows (label | prediction): [1, 2 | 2, 2], [2, 0 | 2, 1], [3, 4 | 1, 5]
    MetricAccumulator acc = regression(2);
    acc.add(0, 3, new double[] {1, 2, 2, 0, 3, 4}, new double[] {2, 2, 2, 1, 1, 5});
    MetricSet m = acc.result();

    // output 0: e = 1, 0, -2; MAE = 3/3 = 1; Σe² = 5, RMSE = √(5/3);
    // APE = 1/1, 0/2, 2/3 -> (1 + 0 + 0.666..)/3 = 0.5555..; mean label 2, SS_tot = 1+0+1 = 2,
    // R² = 1 - 5/2 = -1.5
    MetricSet.OutputMetrics o0 = m.outputs().get(0);
    assertEquals(1.0, o0.mae(), TOL);
    assertEquals(1.2909944487358056, o0.rmse(), TOL);
    assertEquals(0.5555555555555556, o0.mape(), TOL);
    assertEquals(-1.5, o0.r2(), TOL);
    // output 1: e = 0, 1, 1; MAE = 2/3; Σe² = 2, RMSE = √(2/3); APE = 0/2, (label 0 excluded),
    // 1/4 -> 0.25/2 = 0.125; mean label 2, SS_tot = 0+4+4 = 8, R² = 1 - 2/8 = 0.75
    MetricSet.OutputMetrics o1 = m.outputs().get(1);
    assertEquals(0.6666666666666666, o1.mae(), TOL);
    assertEquals(0.816496580927726, o1.rmse(), TOL);
    assertEquals(0.125, o1.mape(), TOL);
    assertEquals(0.75, o1.r2(), TOL);
    // pooled: MAE = (3 + 2)/6; RMSE = √((5 + 2)/6); MAPE = (1 + 0 + 2/3 + 0 + 0.25)/5 over the
    // 5 nonzero labels; R² = (-1.5 + 0.75)/2
    assertEquals(0.8333333333333334, m.value(MetricSet.MAE), TOL);
    assertEquals(1.0801234497346435, m.value(MetricSet.RMSE), TOL);
    assertEquals(0.3833333333333333, m.value(MetricSet.MAPE), TOL);
    assertEquals(-0.375, m.value(MetricSet.R2), TOL);
    assertEquals(3, m.rows());
    assertEquals(6L, m.counts().get("values"));
    assertEquals(1L, m.counts().get("mape_zero_labels"));
    assertTrue(m.notes().contains("MAPE excludes the 1 label value(s) equal to 0"), m.notes()
        .toString());
  }

  @Test
  void constantLabelsLeaveR2UndefinedAndAllZeroLabelsLeaveMapeUndefined() {
    // labels all 0: e = 1, -1; MAE = 1, RMSE = 1, no MAPE (both excluded), no R² (SS_tot = 0)
    MetricAccumulator acc = regression(1);
    acc.add(0, 2, new double[] {0, 0}, new double[] {1, -1});
    MetricSet m = acc.result();
    assertEquals(1.0, m.value(MetricSet.MAE), TOL);
    assertEquals(1.0, m.value(MetricSet.RMSE), TOL);
    assertNull(m.value(MetricSet.MAPE));
    assertNull(m.value(MetricSet.R2));
    assertTrue(m.notes().stream().anyMatch(n -> n.startsWith("R² is undefined for 1 output")));
  }

  @Test
  void emptyAccumulatorHasNoValues() {
    MetricSet m = regression(3).result();
    assertEquals(0, m.rows());
    assertNull(m.value(MetricSet.MAE));
    assertEquals(List.of("no rows were scored"), m.notes());
  }

  @Test
  void nonFiniteValuesAreRefusedNamingTheRow() {
    MetricAccumulator acc = regression(2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> acc.add(10, 2, new double[] {1, 1, 1, 1}, new double[] {1, 1, 1, Double.NaN}));
    assertEquals("row 11, value 1: the output is NaN, not a finite number", e.getMessage());
  }

  @Test
  void widthsMustMatch() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MetricAccumulator.create(TaskKind.REGRESSION, 1, 24, 10));
    assertTrue(e.getMessage().contains("answers 24 value(s) per row and the dataset has 1"),
        e.getMessage());
  }

  @Test
  void mergeOfTwoHalvesEqualsTheWhole() {
    Random random = new Random(42);
    for (int trial = 0; trial < 50; trial++) {
      int width = 1 + random.nextInt(4);
      int rows = 2 + random.nextInt(200);
      double[] labels = new double[rows * width];
      double[] outputs = new double[rows * width];
      for (int i = 0; i < labels.length; i++) {
        // big offsets and some zero labels stress the compensation and the MAPE exclusion
        labels[i] = random.nextInt(5) == 0 ? 0 : 1e6 + random.nextGaussian() * 3;
        outputs[i] = labels[i] + random.nextGaussian();
      }
      int split = 1 + random.nextInt(rows - 1);
      MetricAccumulator whole = regression(width);
      whole.add(0, rows, labels, outputs);
      MetricAccumulator a = regression(width);
      MetricAccumulator b = regression(width);
      a.add(0, split, slice(labels, 0, split * width), slice(outputs, 0, split * width));
      b.add(split, rows - split, slice(labels, split * width, rows * width),
          slice(outputs, split * width, rows * width));
      a.merge(b);
      assertSameMetrics(whole.result(), a.result());
    }
  }

  static double[] slice(double[] a, int from, int to) {
    return java.util.Arrays.copyOfRange(a, from, to);
  }

  static void assertSameMetrics(MetricSet expected, MetricSet actual) {
    assertEquals(expected.rows(), actual.rows());
    assertEquals(expected.counts(), actual.counts());
    assertEquals(expected.notes(), actual.notes());
    assertEquals(expected.values().keySet(), actual.values().keySet());
    expected.values().forEach((k, v) -> {
      Double w = actual.values().get(k);
      if (v == null) {
        assertNull(w, k);
      } else {
        assertEquals(v, w, 1e-9 * Math.max(1, Math.abs(v)), k);
      }
    });
  }
}
