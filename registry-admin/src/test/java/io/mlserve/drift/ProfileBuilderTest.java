package io.mlserve.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileBuilderTest {
  private static final double EPS = 1e-12;

  private static ProfileBuilder one(int bins) {
    return new ProfileBuilder(List.of("x"), List.of(), bins, 10_000, 7);
  }

  private static FeatureProfile profileOf(int bins, double... values) {
    ProfileBuilder b = one(bins);
    for (double v : values) {
      b.addRow(new double[] {v}, null);
    }
    return b.build("m", "1.0.0", "test", 0).inputs().get(0);
  }

  @Test
  void oneToTenGivesDecileEdgesTenPercentBinsAndExactMoments() {
    FeatureProfile f = profileOf(10, 3, 1, 4, 10, 5, 9, 2, 6, 8, 7);
    // type-7 quantile at p: h = 9p, interpolate between x[floor h] and the next.
    assertArrayEquals(new double[] {1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.3, 8.2, 9.1}, f.edges(), EPS);
    double[] tenths = new double[10];
    java.util.Arrays.fill(tenths, 0.1);
    assertArrayEquals(tenths, f.fractions(), EPS);
    assertEquals(101, f.quantiles().length);
    assertEquals(1, f.quantiles()[0], EPS);
    assertEquals(3.25, f.quantiles()[25], EPS);
    assertEquals(5.5, f.quantiles()[50], EPS);
    assertEquals(10, f.quantiles()[100], EPS);
    assertEquals(10, f.count());
    assertEquals(0, f.missing());
    assertEquals(5.5, f.mean(), EPS);
    assertEquals(Math.sqrt(8.25), f.std(), EPS); // population: mean of squared deviations 8.25
    assertEquals(1, f.min());
    assertEquals(10, f.max());
  }

  @Test
  void quartileBinsHoldTheirShare() {
    FeatureProfile f = profileOf(4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    assertArrayEquals(new double[] {3.25, 5.5, 7.75}, f.edges(), EPS);
    // <= 3.25: 1,2,3; (3.25, 5.5]: 4,5; (5.5, 7.75]: 6,7; above: 8,9,10
    assertArrayEquals(new double[] {0.3, 0.2, 0.2, 0.3}, f.fractions(), EPS);
  }

  @Test
  void aConstantFeatureKeepsOneEdgeSoAShiftStillShows() {
    FeatureProfile f = profileOf(10, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5);
    assertArrayEquals(new double[] {5}, f.edges(), 0);
    assertArrayEquals(new double[] {1, 0}, f.fractions(), 0);
    assertEquals(0, f.std(), 0);
    assertEquals(5, f.quantiles()[0], 0);
    assertEquals(5, f.quantiles()[100], 0);
  }

  @Test
  void manyTiesDropRepeatedEdgesAndFractionsStillSumToOne() {
    FeatureProfile f = profileOf(10, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3);
    // deciles 1..6 are 0; p=.7: h=6.3 -> 0.3; p=.8: h=7.2 -> 1.2; p=.9: h=8.1 -> 2.1
    assertArrayEquals(new double[] {0, 0.3, 1.2, 2.1}, f.edges(), EPS);
    assertArrayEquals(new double[] {0.7, 0, 0.1, 0.1, 0.1}, f.fractions(), EPS);
    double sum = 0;
    for (double v : f.fractions()) {
      sum += v;
    }
    assertEquals(1, sum, EPS);
  }

  @Test
  void nanAndInfinitiesAreMissingAndNotBinned() {
    FeatureProfile f = profileOf(2, 1, Double.NaN, 3, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY);
    assertEquals(2, f.count());
    assertEquals(3, f.missing());
    assertEquals(2, f.mean(), EPS);
    assertEquals(1, f.std(), EPS);
    assertArrayEquals(new double[] {2}, f.edges(), EPS);
    assertArrayEquals(new double[] {0.5, 0.5}, f.fractions(), EPS);
  }

  @Test
  void aFeatureWithoutValuesHasOneBinAndNoQuantiles() {
    FeatureProfile f = profileOf(10, Double.NaN, Double.NaN);
    assertEquals(0, f.count());
    assertEquals(2, f.missing());
    assertEquals(0, f.edges().length);
    assertArrayEquals(new double[] {1}, f.fractions(), 0);
    assertEquals(0, f.quantiles().length);
    assertEquals(0, f.mean(), 0);
  }

  @Test
  void aMillionRowsKeepTheSketchAtItsCapacityAndMomentsExact() {
    ProfileBuilder b = one(10);
    int n = 1_000_000;
    double[] row = new double[1];
    for (int i = 0; i < n; i++) {
      row[0] = i / (double) n;
      b.addRow(row, null);
    }
    assertEquals(n, b.rows());
    assertEquals(10_000, b.sampledValues());
    FeatureProfile f = b.build("m", "1", "test", 0).inputs().get(0);
    assertEquals(n, f.count());
    assertEquals((n - 1) / 2.0 / n, f.mean(), 1e-9); // Welford: rounding only
    assertEquals(0, f.min(), 0);
    assertEquals((n - 1) / (double) n, f.max(), 0);
    // a uniform sample of 10,000 values of a uniform [0, 1): the median is within 0.02 of 0.5
    // (about 4 standard errors; the seed is fixed, so this is a fixed number, not a chance)
    assertEquals(0.5, f.quantiles()[50], 0.02);
    assertEquals(9, f.edges().length);
    for (double frac : f.fractions()) {
      assertEquals(0.1, frac, 1e-3); // deciles of the sample hold a tenth of it each
    }
  }

  @Test
  void theSameRowsAndSeedGiveTheSameProfile() {
    ProfileBuilder a = new ProfileBuilder(List.of("x"), List.of("y"), 10, 200, 42);
    ProfileBuilder b = new ProfileBuilder(List.of("x"), List.of("y"), 10, 200, 42);
    java.util.SplittableRandom r = new java.util.SplittableRandom(1);
    for (int i = 0; i < 5000; i++) {
      double[] in = {r.nextGaussian()};
      double[] out = {r.nextDouble()};
      a.addRow(in, out);
      b.addRow(in, out);
    }
    ReferenceProfile pa = a.build("m", "1", "s", 1);
    ReferenceProfile pb = b.build("m", "1", "s", 1);
    assertArrayEquals(pa.inputs().get(0).quantiles(), pb.inputs().get(0).quantiles(), 0);
    assertArrayEquals(pa.outputs().get(0).edges(), pb.outputs().get(0).edges(), 0);
  }

  @Test
  void floatRowsAreReadFromTheirOffsets() {
    ProfileBuilder b = new ProfileBuilder(List.of("a", "b"), List.of("y"), 2, 200, 1);
    float[] batchIn = {1, 10, 2, 20, 3, 30};
    float[] batchOut = {-1, -2, -3};
    for (int row = 0; row < 3; row++) {
      b.addRow(batchIn, row * 2, batchOut, row);
    }
    ReferenceProfile p = b.build("m", "1", "s", 0);
    assertEquals(2, p.inputs().get(0).mean(), EPS);
    assertEquals(20, p.inputs().get(1).mean(), EPS);
    assertEquals(-2, p.outputs().get(0).mean(), EPS);
    assertEquals(List.of("a", "b"), p.inputs().stream().map(FeatureProfile::name).toList());
    assertEquals(3, p.rows());
  }

  @Test
  void rowsOfTheWrongWidthAreRefused() {
    ProfileBuilder b = new ProfileBuilder(List.of("a", "b"), List.of("y"), 10, 200, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.addRow(new double[] {1}, new double[] {1}));
    assertEquals("a row needs 2 input values, got 1", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.addRow(new double[] {1, 2}, null));
    assertThrows(IllegalArgumentException.class,
        () -> b.addRow(new float[] {1, 2, 3}, 2, new float[] {1}, 0));
    assertEquals(0, b.rows());
  }

  @Test
  void manyFeaturesShareTheSampleBudget() {
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      names.add("f" + i);
    }
    ProfileBuilder b = new ProfileBuilder(names, List.of(), 10, 10_000, 1);
    double[] row = new double[4000];
    for (int i = 0; i < 3000; i++) {
      b.addRow(row, null);
    }
    assertEquals(ProfileBuilder.MAX_SAMPLE_VALUES / 4000, b.sampledValues());
    assertTrue(b.sampledValues() < 3000);
  }
}
