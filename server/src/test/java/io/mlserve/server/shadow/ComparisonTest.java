package io.mlserve.server.shadow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Divergence figures against hand-computed ones. Every value and tolerance is a binary fraction,
 * so float32 and double hold them exactly and the expected figures are exact too.
 */
class ComparisonTest {
  // Request 1, output "y" [2, 2]: primary P1, shadow S1.
  static final float[] P1 = {1, -2, 0, 4};
  static final float[] S1 = {1, -2.5f, 0.25f, 4};
  // |S1 - P1| = 0, 0.5, 0.25, 0: sum 0.75 over 4 elements, max 0.5.
  // relative (p != 0 only: 1, -2, 4): 0/1 + 0.5/2 + 0/4 = 0.25 over 3 elements.
  // Request 2: |S2 - P2| = 0, 0, 0, 1 (sum 1, max 1); relative 1/2 over 4 elements.
  static final float[] P2 = {2, 2, 2, 2};
  static final float[] S2 = {2, 2, 2, 3};
  static final double ATOL = 0.25;
  static final double RTOL = 0.125;
  // isclose bounds atol + rtol*|p| for request 1: 0.375, 0.5, 0.25, 0.75: every diff is within
  // (0.5 <= 0.5 and 0.25 <= 0.25 sit exactly on the bound, which numpy counts as close);
  // request 2: 1 > 0.25 + 0.125*2 = 0.5, so it does not agree.

  private static Tensor[] y(float... v) {
    return new Tensor[] {Tensor.ofFloats("y", new long[] {2, 2}, v)};
  }

  private static Comparison compare(Tensor[] p, Tensor[] s, double atol, double rtol) {
    return Comparison.of(p, s, atol, rtol, Divergence.MAX_OUTPUTS);
  }

  @Test
  void oneRequestsFiguresAndTheIscloseBoundary() {
    Comparison c = compare(y(P1), y(S1), ATOL, RTOL);
    assertEquals(4, c.elements[0]);
    assertEquals(0.75, c.absSum[0]);
    assertEquals(0.5, c.absMax[0]);
    assertEquals(0.25, c.relSum[0]);
    assertEquals(3, c.relElements[0]);
    assertTrue(c.agreed, "differences on the bound agree, as numpy.isclose");
    assertEquals(0.5, c.maxAbsDiff);
    // a hair tighter: rtol 0.0625 makes the bound of element 1 0.375 < 0.5
    assertFalse(compare(y(P1), y(S1), ATOL, 0.0625).agreed);
    // atol 0.125: element 2's bound is 0.125 < 0.25
    assertFalse(compare(y(P1), y(S1), 0.125, RTOL).agreed);
  }

  @Test
  void theWindowAddsRequestsUp() {
    Divergence d = new Divergence();
    d.add(compare(y(P1), y(S1), ATOL, RTOL), new String[] {"y"});
    d.add(compare(y(P2), y(S2), ATOL, RTOL), new String[] {"y"});
    // a third whose shadow answered another shape: mismatched, no element figures
    d.add(compare(y(P1), new Tensor[] {Tensor.ofFloats("y", new long[] {1, 4}, S1)}, ATOL,
        RTOL), new String[] {"y"});
    assertArrayEquals(new long[] {3, 1}, d.comparedAndAgreed());
    ShadowReport.Output y = d.outputs().get(0);
    assertEquals("y", y.name());
    assertEquals(3, y.requests());
    assertEquals(1, y.mismatched());
    assertEquals(8, y.elements());
    assertEquals((0.75 + 1) / 8, y.meanAbsDiff()); // 0.21875
    assertEquals(1.0, y.maxAbsDiff());
    assertEquals((0.25 + 0.5) / 7, y.meanRelDiff(), 1e-15); // 0.107142857...
  }

  @Test
  void outputsAreComparedByPositionEachWithItsOwnFigures() {
    Tensor z = new Tensor("z", DataType.INT64, new long[] {2}, longs(10, -3));
    Tensor zShadow = new Tensor("other_name", DataType.INT64, new long[] {2}, longs(7, -3));
    Comparison c = compare(new Tensor[] {y(P1)[0], z}, new Tensor[] {y(P1)[0], zShadow}, 0, 0);
    assertEquals(0, c.absSum[0]);
    assertEquals(3, c.absSum[1]);
    assertEquals(3, c.absMax[1]);
    assertEquals(0.3, c.relSum[1], 1e-15); // 3/10 + 0/3
    assertEquals(2, c.relElements[1]);
    assertFalse(c.agreed);
    assertEquals(3, c.maxAbsDiff);
  }

  @Test
  void missingOutputsTypeChangesAndNanDisagreeAndRankWorst() {
    Comparison missing = compare(y(P1), new Tensor[0], ATOL, RTOL);
    assertTrue(missing.mismatched[0]);
    assertFalse(missing.agreed);
    assertEquals(Double.POSITIVE_INFINITY, missing.maxAbsDiff);
    Tensor asInt = new Tensor("y", DataType.INT32, new long[] {2, 2}, new byte[16]);
    assertTrue(compare(y(P1), new Tensor[] {asInt}, ATOL, RTOL).mismatched[0]);
    Comparison nan = compare(y(P1), y(1, -2, Float.NaN, 4), 1e9, 0);
    assertFalse(nan.agreed, "NaN is close to nothing");
    assertEquals(Double.POSITIVE_INFINITY, nan.maxAbsDiff);
    assertEquals(0, nan.absSum[0], "the NaN element adds no figure");
    float inf = Float.POSITIVE_INFINITY;
    Comparison infs = compare(y(inf, 0, 0, 0), y(inf, 0, 0, 0), 0, 0);
    assertTrue(infs.agreed, "equal infinities are close, as numpy.isclose");
    assertEquals(0, infs.maxAbsDiff);
  }

  @Test
  void noOutputYetReportsNoFigures() {
    Divergence d = new Divergence();
    d.add(compare(y(P1), new Tensor[0], ATOL, RTOL), new String[] {"y"});
    ShadowReport.Output y = d.outputs().get(0);
    assertEquals(0, y.elements());
    assertNull(y.meanAbsDiff());
    assertNull(y.maxAbsDiff());
    assertNull(y.meanRelDiff());
  }

  @Test
  void worstExamplesKeepTheKLargestWithBoundedPreviews() {
    WorstExamples w = new WorstExamples(2);
    float[] big = new float[20];
    Tensor input = Tensor.ofFloats("x", new long[] {10, 2}, big);
    Tensor[] out = {Tensor.ofFloats("y", new long[] {10, 2}, big)};
    w.offer("a", "1", 0.5, List.of(input), out, out);
    w.offer("b", "1", 3, List.of(input), out, out);
    w.offer("c", "1", 0, List.of(input), out, out); // agreed exactly: never kept
    w.offer("d", "1", 1, List.of(input), out, out);
    w.offer("e", "1", 0.75, List.of(input), out, out);
    List<ShadowReport.Example> kept = w.worstFirst();
    assertEquals(List.of("b", "d"), kept.stream().map(ShadowReport.Example::requestId).toList());
    ShadowReport.Preview p = kept.get(0).inputs().get(0);
    assertEquals(20, p.elements());
    assertEquals(WorstExamples.PREVIEW_VALUES, p.values().size());
    assertEquals(List.of(10L, 2L), p.shape());
    assertEquals("FP32", p.datatype());
  }

  private static byte[] longs(long... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long x : v) {
      b.putLong(x);
    }
    return b.array();
  }

  @Test
  void stringOutputsDifferByOneWhereTheyAreNotEqual() {
    Tensor[] p = {Tensor.ofStrings("label", new long[] {3}, List.of("cat", "dog", ""))};
    Comparison same = compare(p,
        new Tensor[] {Tensor.ofStrings("label", new long[] {3}, List.of("cat", "dog", ""))},
        ATOL, RTOL);
    assertTrue(same.agreed);
    assertEquals(0.0, same.maxAbsDiff);
    Comparison differ = compare(p,
        new Tensor[] {Tensor.ofStrings("label", new long[] {3}, List.of("cat", "cow", "x"))},
        ATOL, RTOL);
    assertFalse(differ.agreed);
    assertFalse(differ.mismatched[0]);
    assertEquals(2.0, differ.absSum[0]);
    assertEquals(1.0, differ.maxAbsDiff);
  }
}
