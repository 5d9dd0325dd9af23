package io.mlserve.server.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FloatTextTest {
  private static String text(float v) {
    char[] buf = new char[FloatText.MAX_CHARS];
    int end = FloatText.append(v, buf, 0);
    return end < 0 ? null : new String(buf, 0, end);
  }

  @Test
  void writesJavasPlainNotation() {
    assertEquals("59.504234", text(59.504234f));
    assertEquals("100.0", text(100f));
    assertEquals("1.0", text(1f));
    assertEquals("0.5", text(0.5f));
    assertEquals("0.1", text(0.1f));
    assertEquals("0.001", text(0.001f));
    assertEquals("-2.75", text(-2.75f));
    assertEquals("1234567.0", text(1234567f));
    assertEquals("9999999.0", text(9999999f));
    assertEquals("0.0015", text(0.0015f));
    assertEquals(NumberOutput.toString(3.4028235f, true), text(3.4028235f));
  }

  @Test
  void leavesValuesOutsideItsRangeToTheCaller() {
    for (float v : new float[] {0f, -0f, 1e-4f, 9.99e-4f, 1e7f, 3.4e38f, Float.MIN_VALUE,
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      assertEquals(null, text(v), "for " + v);
    }
  }

  /** Every float of the range reads back as itself, and is as short as Schubfach's but rarely. */
  @Test
  void readsBackAsTheSameFloatAndIsShortest() {
    SplittableRandom random = new SplittableRandom(42);
    int checked = 0;
    int longer = 0;
    for (int i = 0; i < 2_000_000; i++) {
      float v = Float.intBitsToFloat(random.nextInt());
      if (i % 2 == 0) { // half of the draws in the range that models usually output
        v = (float) ((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-2, 7)));
      }
      String mine = text(v);
      if (mine == null) {
        continue;
      }
      checked++;
      float value = v;
      assertEquals(Float.floatToIntBits(v), Float.floatToIntBits(Float.parseFloat(mine)),
          () -> "'" + mine + "' does not read back as " + value);
      String shortest = NumberOutput.toString(v, true);
      assertTrue(mine.length() <= shortest.length() + 1, mine + " vs " + shortest);
      if (!mine.equals(shortest)) {
        longer++;
      }
    }
    assertTrue(checked > 900_000, "checked " + checked);
    assertTrue(longer < checked / 1000, longer + " of " + checked + " differ from Schubfach");
  }

  /** Neighbours of powers of ten and two, where digit counts and intervals change. */
  @Test
  void boundariesReadBack() {
    for (int e = -3; e <= 6; e++) {
      float center = (float) Math.pow(10, e);
      float v = center;
      for (int k = 0; k < 50; k++) {
        v = Math.nextDown(v);
      }
      for (int k = 0; k < 100; k++, v = Math.nextUp(v)) {
        check(v);
        check(-v);
      }
    }
    for (int e = -9; e <= 23; e++) {
      float two = (float) Math.scalb(1.0, e);
      check(Math.nextDown(two));
      check(two);
      check(Math.nextUp(two));
    }
  }

  private static void check(float v) {
    String mine = text(v);
    if (mine != null) {
      assertEquals(Float.floatToIntBits(v), Float.floatToIntBits(Float.parseFloat(mine)), mine);
      assertTrue(mine.length() <= NumberOutput.toString(v, true).length() + 1, mine);
    }
  }
}
