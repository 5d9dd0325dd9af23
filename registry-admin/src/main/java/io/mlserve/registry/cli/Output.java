package io.mlserve.registry.cli;

import io.mlserve.registry.grpc.AdminJsonFormat;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Prints results as aligned tables (default) or JSON ({@code --output json}). Not thread-safe. */
final class Output {
  private final PrintStream out;
  private final boolean json;

  Output(PrintStream out, boolean json) {
    this.out = out;
    this.json = json;
  }

  boolean json() {
    return json;
  }

  /**
   * In json mode the answer as {@link AdminJsonFormat} writes it (the shape the REST admin
   * routes answer with); else {@code text}.
   */
  void message(AdminJsonFormat.Body json, String text) {
    out.println(this.json ? AdminJsonFormat.toString(json, true) : text);
  }

  void line(String s) {
    out.println(s);
  }

  void table(List<String> header, List<List<String>> rows) {
    out.println(render(header, rows));
  }

  /** An aligned table as text (no trailing newline); an empty cell shows as {@code -}. */
  static String render(List<String> header, List<List<String>> rows) {
    StringBuilder text = new StringBuilder();
    int[] w = new int[header.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> r : all) {
      for (int i = 0; i < w.length; i++) {
        w[i] = Math.max(w[i], cell(r, i).length());
      }
    }
    for (List<String> r : all) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < w.length; i++) {
        String c = cell(r, i);
        sb.append(c);
        if (i < w.length - 1) {
          sb.append(" ".repeat(w[i] - c.length() + 2));
        }
      }
      text.append(text.length() == 0 ? "" : "\n").append(sb.toString().stripTrailing());
    }
    return text.toString();
  }

  private static String cell(List<String> r, int i) {
    String c = i < r.size() ? r.get(i) : "";
    return c == null || c.isEmpty() ? "-" : c;
  }

  static String time(long ms) {
    return ms <= 0 ? "" : Instant.ofEpochMilli(ms).toString();
  }

  /** A measured figure for a table: four significant digits, no exponent, no trailing zeros. */
  static String number(double x) {
    if (x == 0 || !Double.isFinite(x)) {
      return x == 0 ? "0" : Double.toString(x);
    }
    return new BigDecimal(x).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }
}
