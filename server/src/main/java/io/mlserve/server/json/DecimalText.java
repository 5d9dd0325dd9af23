package io.mlserve.server.json;

/**
 * Converts JSON number text to a double without going through a general parser, when the text
 * has at most 15 significant digits and a decimal exponent of at most 22 either way: then the
 * digits and the power of ten are both exact doubles, and one multiplication or division rounds
 * correctly (Clinger's fast path). Model inputs ({@code 59.504}, {@code -0.0021}, {@code 12})
 * nearly always qualify; other text is left to the caller's parser.
 *
 * <p>Why by hand: Jackson's fast double parser was a tenth of the server's time on
 * {@code /api/v1/batch} (24,000 numbers per request), most of it work this case does not need.
 *
 * <p>Stateless; thread-safe.
 */
final class DecimalText {
  /** 10^0 to 10^22: the powers of ten that are exact doubles. */
  static final double[] POW10 = new double[23];

  static {
    double p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  private DecimalText() {}

  /**
   * @param text a JSON number (already checked by the tokenizer) at {@code off}, {@code len}
   *     chars long
   * @return its correctly rounded value, or NaN when the fast path does not apply
   */
  static double parse(char[] text, int off, int len) {
    int i = off;
    int end = off + len;
    boolean negative = i < end && text[i] == '-';
    if (negative) {
      i++;
    }
    long mantissa = 0;
    int significant = 0;
    int exp10 = 0;
    boolean dot = false;
    for (; i < end; i++) {
      char c = text[i];
      if (c >= '0' && c <= '9') {
        if (mantissa != 0 || c != '0') {
          if (++significant > 15) {
            return Double.NaN;
          }
          mantissa = mantissa * 10 + (c - '0');
        }
        if (dot) {
          exp10--;
        }
      } else if (c == '.' && !dot) {
        dot = true;
      } else {
        break;
      }
    }
    if (i < end) { // exponent: [eE][+-]?digits
      char c = text[i];
      if (c != 'e' && c != 'E') {
        return Double.NaN;
      }
      i++;
      boolean minus = false;
      if (i < end && (text[i] == '+' || text[i] == '-')) {
        minus = text[i] == '-';
        i++;
      }
      int e = 0;
      if (i == end) {
        return Double.NaN;
      }
      for (; i < end; i++) {
        char d = text[i];
        if (d < '0' || d > '9' || e > 1000) {
          return Double.NaN;
        }
        e = e * 10 + (d - '0');
      }
      exp10 += minus ? -e : e;
    }
    double value;
    if (mantissa == 0) {
      value = 0;
    } else if (exp10 >= 0 && exp10 < POW10.length) {
      value = mantissa * POW10[exp10];
    } else if (exp10 < 0 && -exp10 < POW10.length) {
      value = mantissa / POW10[-exp10];
    } else {
      return Double.NaN;
    }
    return negative ? -value : value;
  }
}
