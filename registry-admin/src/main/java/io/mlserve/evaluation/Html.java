package io.mlserve.evaluation;

import java.util.Locale;

/** Escaping and number formatting for the evaluation report. Stateless; thread-safe. */
final class Html {
  private Html() {}

  /** {@code s} safe as HTML or SVG text and attribute content. */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
      }
    }
    return b.toString();
  }

  /** A number for people: 6 significant digits, "—" for a missing value. */
  static String num(Double v) {
    if (v == null) {
      return "—";
    }
    if (v == 0 || (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6)) {
      return String.format(Locale.ROOT, "%.6g", v).replaceFirst("(\\.\\d*?)0+$", "$1")
          .replaceFirst("\\.$", "");
    }
    return String.format(Locale.ROOT, "%.4e", v);
  }

  /** A coordinate for SVG: two decimals. */
  static String xy(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /** A relative change as a signed percentage, "—" when missing. */
  static String percent(Double v) {
    return v == null ? "—" : String.format(Locale.ROOT, "%+.2f %%", v * 100);
  }
}
