package io.mlserve.server.alerts;

import io.mlserve.server.alerts.AlertExpression.Comparison;
import io.mlserve.server.alerts.AlertExpression.Junction;
import io.mlserve.server.alerts.AlertExpression.Node;
import io.mlserve.server.alerts.AlertExpression.Op;
import io.mlserve.store.Names;
import java.util.TreeSet;

/**
 * The recursive-descent parser of rule expressions:
 *
 * <pre>
 * expr := and ("or" and)*
 * and  := atom ("and" atom)*
 * atom := "(" expr ")" | signal op number
 * op   := "&gt;" | "&gt;=" | "&lt;" | "&lt;=" | "==" | "!="
 * </pre>
 *
 * <p>Hand-written rather than a parser library or a PromQL parser: the grammar is the six lines
 * above, a generator would add a build step and a dependency for them, and a full PromQL parser
 * would accept far more than the evaluator can compute. Errors give the position (1-based) and
 * what was expected. One instance parses one text; not thread-safe.
 */
final class ExpressionParser {
  private static final int MAX_DEPTH = 16;

  private final String text;
  private int pos;
  private int depth;

  ExpressionParser(String text) {
    this.text = text;
  }

  Node parse() {
    skipSpace();
    if (pos == text.length()) {
      throw error("is empty; write e.g. 'latency_p95_ms > 200'");
    }
    Node n = or();
    skipSpace();
    if (pos < text.length()) {
      throw error("expected 'and', 'or' or the end at position " + (pos + 1) + ", found '"
          + Names.printable(rest()) + "'");
    }
    return n;
  }

  private Node or() {
    Node n = and();
    while (keyword("or")) {
      n = new Junction(false, n, and());
    }
    return n;
  }

  private Node and() {
    Node n = atom();
    while (keyword("and")) {
      n = new Junction(true, n, atom());
    }
    return n;
  }

  private Node atom() {
    skipSpace();
    if (pos < text.length() && text.charAt(pos) == '(') {
      if (++depth > MAX_DEPTH) {
        throw error("nests parentheses deeper than " + MAX_DEPTH);
      }
      pos++;
      Node n = or();
      skipSpace();
      if (pos == text.length() || text.charAt(pos) != ')') {
        throw error("expected ')' at position " + (pos + 1));
      }
      pos++;
      depth--;
      return n;
    }
    int start = pos;
    String signal = word();
    if (signal.isEmpty()) {
      throw error("expected a signal or '(' at position " + (pos + 1)
          + (pos < text.length() ? ", found '" + Names.printable(rest()) + "'" : ""));
    }
    if (!SignalNames.MODEL.contains(signal) && !SignalNames.PROCESS.contains(signal)) {
      throw error("unknown signal '" + Names.printable(signal) + "' at position " + (start + 1)
          + "; known: " + String.join(", ", known()));
    }
    Op op = op();
    return new Comparison(signal, op, number());
  }

  private Op op() {
    skipSpace();
    for (String s : new String[] {">=", "<=", "==", "!=", ">", "<"}) {
      if (text.startsWith(s, pos)) {
        pos += s.length();
        for (Op op : Op.values()) {
          if (op.symbol().equals(s)) {
            return op;
          }
        }
      }
    }
    throw error("expected an operator (>, >=, <, <=, ==, !=) at position " + (pos + 1)
        + (pos < text.length() ? ", found '" + Names.printable(rest()) + "'" : ""));
  }

  private double number() {
    skipSpace();
    int start = pos;
    if (pos < text.length() && (text.charAt(pos) == '-' || text.charAt(pos) == '+')) {
      pos++;
    }
    while (pos < text.length() && (Character.isDigit(text.charAt(pos))
        || ".eE".indexOf(text.charAt(pos)) >= 0
        || (pos > start && "+-".indexOf(text.charAt(pos)) >= 0
            && "eE".indexOf(text.charAt(pos - 1)) >= 0))) {
      pos++;
    }
    String s = text.substring(start, pos);
    try {
      if (s.matches("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
        double v = Double.parseDouble(s);
        if (Double.isFinite(v)) {
          return v;
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw error("expected a number at position " + (start + 1)
        + (start < text.length() ? ", found '" + Names.printable(text.substring(start)) + "'"
            : ""));
  }

  private boolean keyword(String k) {
    skipSpace();
    int save = pos;
    String w = word();
    if (w.equals(k)) {
      return true;
    }
    pos = save;
    return false;
  }

  private String word() {
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
      pos++;
    }
    return text.substring(start, pos);
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private String rest() {
    String r = text.substring(pos);
    return r.length() > 20 ? r.substring(0, 20) + "..." : r;
  }

  private static TreeSet<String> known() {
    TreeSet<String> all = new TreeSet<>(SignalNames.MODEL);
    all.addAll(SignalNames.PROCESS);
    return all;
  }

  private AlertConfigException error(String what) {
    return new AlertConfigException("expr '" + Names.printable(text) + "' " + what);
  }
}
