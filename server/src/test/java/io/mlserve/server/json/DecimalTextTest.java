package io.mlserve.server.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecimalTextTest {
  private static double parse(String s) {
    return DecimalText.parse(s.toCharArray(), 0, s.length());
  }

  private static void same(String s) {
    double fast = parse(s);
    if (!Double.isNaN(fast)) {
      assertEquals(Double.doubleToLongBits(Double.parseDouble(s)), Double.doubleToLongBits(fast),
          s);
    }
  }

  @Test
  void parsesCommonNumbersExactly() {
    assertEquals(59.504, parse("59.504"));
    assertEquals(-0.0021, parse("-0.0021"));
    assertEquals(12.0, parse("12"));
    assertEquals(0.0, parse("0"));
    assertEquals(Double.doubleToLongBits(-0.0), Double.doubleToLongBits(parse("-0.0")));
    assertEquals(1.5e-5, parse("1.5e-5"));
    assertEquals(12345.6, parse("123.456E+2"));
  }

  @Test
  void leavesTheRestToTheGeneralParser() {
    assertTrue(Double.isNaN(parse("1234567890.1234567"))); // 17 significant digits
    assertTrue(Double.isNaN(parse("0.1000000000000000000000000"))); // zeros count as digits
    assertTrue(Double.isNaN(parse("1e23")));
    assertTrue(Double.isNaN(parse("1.5e-30")));
    assertTrue(Double.isNaN(parse("1e99999999999")));
  }

  @Test
  void agreesWithDoubleParseDoubleOnRandomText() {
    SplittableRandom r = new SplittableRandom(7);
    int fast = 0;
    for (int i = 0; i < 500_000; i++) {
      StringBuilder b = new StringBuilder();
      if (r.nextBoolean()) {
        b.append('-');
      }
      int intDigits = r.nextInt(0, 9);
      b.append(intDigits == 0 ? "0" : String.valueOf(r.nextLong(1, (long) Math.pow(10, intDigits))));
      if (r.nextInt(4) > 0) {
        b.append('.');
        int frac = r.nextInt(1, 12);
        for (int k = 0; k < frac; k++) {
          b.append((char) ('0' + r.nextInt(10)));
        }
      }
      if (r.nextInt(5) == 0) {
        b.append(r.nextBoolean() ? 'e' : 'E').append(r.nextBoolean() ? "-" : "")
            .append(r.nextInt(0, 30));
      }
      String s = b.toString();
      same(s);
      if (!Double.isNaN(parse(s))) {
        fast++;
      }
    }
    assertTrue(fast > 250_000, "fast path taken " + fast + " times");
  }
}
