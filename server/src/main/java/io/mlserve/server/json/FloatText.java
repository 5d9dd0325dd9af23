package io.mlserve.server.json;

/**
 * Writes a float as the short decimal text that reads back as the same float, in Java's plain
 * notation ({@code 59.504234}, {@code 100.0}, {@code 0.0015}), for the values model outputs
 * usually take: {@code 1e-3 <= |v| < 1e7}. Other values (zero, tiny, huge, NaN, infinite) are
 * left to the caller's general writer.
 *
 * <p>Why by hand: Jackson's shortest-float writer (Schubfach) builds a {@code String} per number
 * and was 40% of the server's time on {@code /api/v1/batch} (24,000 floats per response). This
 * writer scales the value to 9 significant digits in double arithmetic, where 9 digits always
 * identify a float, then drops digits while the shorter decimal still lies strictly inside the
 * float's rounding interval, with a safety margin far wider than the double arithmetic's error.
 * So the text always reads back as the same float; it is the shortest such text except in rare
 * ties, where it may keep one more digit than Schubfach would.
 *
 * <p>Stateless; thread-safe.
 */
final class FloatText {
  /** Most chars {@link #append} writes: sign, 9 digits, point, and up to 3 padding zeros. */
  static final int MAX_CHARS = 16;

  private static final int[] INT_POW10 = new int[10];
  private static final char[] PAIRS = new char[200];
  private static final double[] INV_POW10 = new double[10];

  static {
    for (int i = 0; i < 100; i++) {
      PAIRS[2 * i] = (char) ('0' + i / 10);
      PAIRS[2 * i + 1] = (char) ('0' + i % 10);
    }
    int q = 1;
    for (int i = 0; i < INT_POW10.length; i++) {
      INT_POW10[i] = q;
      INV_POW10[i] = 1.0 / q;
      q *= 10;
    }
  }

  // In units of the 9-digit scaled value, the double arithmetic errs by less than 3e-7; the
  // rounding interval's half-width is at least 1.49 units there.
  private static final double MARGIN = 1e-5;

  private FloatText() {}

  /**
   * Writes {@code v} into {@code out} from {@code pos}.
   *
   * @param out has room for {@link #MAX_CHARS} chars from {@code pos}
   * @return the position after the text, or -1 when {@code v} is outside the handled range
   *     (nothing written)
   */
  static int append(float v, char[] out, int pos) {
    float abs = Math.abs(v);
    if (!(abs >= 1e-3f && abs < 1e7f)) {
      return -1; // also NaN
    }
    double d = abs;
    // Scale to 9 significant digits, 1e8 <= m9 < 1e9, with p from the binary exponent and
    // corrected by one where the estimate is off (p stays within 1..13 here).
    int p = 8 - ((Math.getExponent(abs) * 1233) >> 12); // floor(e2 * log10(2)) for |e2| < 128
    double scale = DecimalText.POW10[p];
    double scaled = d * scale;
    if (scaled >= 999_999_999.5) {
      scale = DecimalText.POW10[--p];
      scaled = d * scale;
    } else if (scaled < 99_999_999.5) {
      scale = DecimalText.POW10[++p];
      scaled = d * scale;
    }
    // The float's rounding interval, in the same units: half the spacing to each neighbour
    // (a quarter below a power of two, where the spacing halves). ulp = 2^(e2 - 23).
    int bits = Float.floatToRawIntBits(abs);
    double ulp = Double.longBitsToDouble((long) (Math.getExponent(abs) - 23 + 1023) << 52);
    double lo = (d - ((bits & 0x7FFFFF) == 0 ? ulp / 4 : ulp / 2)) * scale + MARGIN;
    double hi = (d + ulp / 2) * scale - MARGIN;
    // Drop digits while the nearest shorter decimal stays inside the interval. The 9-digit one
    // always does: it is within half a unit, the interval at least 1.49 units each way.
    int digits = (int) Math.rint(scaled);
    int count = 9;
    for (int drop = 1; drop <= 8; drop++) {
      int unit = INT_POW10[drop];
      int shorter = (int) Math.rint(scaled * INV_POW10[drop]); // ties to even, as Schubfach
      double value = (double) shorter * unit;
      if (value <= lo || value >= hi) {
        break;
      }
      digits = shorter;
      count = 9 - drop;
    }
    int exp = 8 - p; // the decimal exponent of the first digit
    if (digits == INT_POW10[count]) { // rounding carried into a new digit: 9.99.. -> 10
      digits = 1;
      count = 1;
      exp++;
    }
    while (count > 1 && digits % 10 == 0) {
      digits /= 10;
      count--;
    }
    if (v < 0) {
      out[pos++] = '-';
    }
    if (exp < 0) { // 0.00ddd
      out[pos++] = '0';
      out[pos++] = '.';
      for (int i = -1; i > exp; i--) {
        out[pos++] = '0';
      }
      return writeDigits(digits, count, -1, out, pos);
    }
    int intDigits = exp + 1;
    if (count <= intDigits) { // ddd00.0
      pos = writeDigits(digits, count, -1, out, pos);
      for (int i = count; i < intDigits; i++) {
        out[pos++] = '0';
      }
      out[pos++] = '.';
      out[pos++] = '0';
      return pos;
    }
    return writeDigits(digits, count, intDigits, out, pos); // dd.ddd
  }

  /**
   * Writes the {@code count} digits of {@code value}, with a decimal point after the first
   * {@code pointAfter} of them when that is positive. Two digits per step, from a table.
   */
  private static int writeDigits(int value, int count, int pointAfter, char[] out, int pos) {
    if (pointAfter > 0) {
      int frac = count - pointAfter;
      int div = INT_POW10[frac];
      int head = value / div;
      pos = writeInt(head, pointAfter, out, pos);
      out[pos++] = '.';
      return writeInt(value - head * div, frac, out, pos);
    }
    return writeInt(value, count, out, pos);
  }

  /** Writes {@code value} as exactly {@code width} digits, zero-padded on the left. */
  private static int writeInt(int value, int width, char[] out, int pos) {
    int i = pos + width;
    while (i - pos >= 2) {
      int r = value % 100;
      value /= 100;
      out[--i] = PAIRS[2 * r + 1];
      out[--i] = PAIRS[2 * r];
    }
    if (i > pos) {
      out[--i] = (char) ('0' + value % 10);
    }
    return pos + width;
  }
}
