package io.mlserve.evaluation;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A small, safe arithmetic language for custom metrics, evaluated once per scored value. It
 * can read three variables and nothing else: {@code pred} (the output value, or the predicted
 * class), {@code label} (the label value, or the true class) and {@code output} (the value's
 * index in the row). It has numbers ({@code 3}, {@code 0.5}, {@code 1e-3}), {@code + - * /},
 * unary {@code -} and {@code !}, comparisons {@code < <= > >= == !=} and {@code && ||} (true is
 * 1, false 0), the conditional {@code c ? a : b}, parentheses, and the functions {@code abs},
 * {@code sqrt}, {@code log}, {@code exp} (one argument) and {@code min}, {@code max},
 * {@code pow} (two). Example: {@code abs(pred - label) * (pred < label ? 3 : 1)}.
 *
 * <p>Parsed by a hand-written recursive-descent parser; an expression is at most
 * {@value #MAX_LENGTH} characters and nests at most {@value #MAX_DEPTH} levels, and a parse
 * error names the position and what was expected. A parsed expression is immutable and
 * thread-safe.
 */
public final class Expression {
  public static final int MAX_LENGTH = 1000;
  public static final int MAX_DEPTH = 32;

  /** A node of the parsed tree. */
  private interface Node {
    double eval(double pred, double label, double output);
  }

  private final String text;
  private final Node root;

  private Expression(String text, Node root) {
    this.text = text;
    this.root = root;
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the position and the problem
   */
  public static Expression parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("the expression is longer than " + MAX_LENGTH
          + " characters");
    }
    Parser p = new Parser(text);
    Node root = p.conditional(0);
    p.skipSpace();
    if (p.pos < text.length()) {
      throw p.error("unexpected '" + text.charAt(p.pos) + "'");
    }
    return new Expression(text, root);
  }

  /** The value for one scored value. */
  public double evaluate(double pred, double label, double output) {
    return root.eval(pred, label, output);
  }

  @Override
  public String toString() {
    return text;
  }

  private static double truth(boolean b) {
    return b ? 1 : 0;
  }

  private static final class Parser {
    private static final List<String> VARIABLES = List.of("pred", "label", "output");

    final String s;
    int pos;

    Parser(String s) {
      this.s = s;
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException("at character " + (pos + 1) + ": " + what);
    }

    void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    boolean eat(String token) {
      skipSpace();
      if (s.startsWith(token, pos)) {
        pos += token.length();
        return true;
      }
      return false;
    }

    void expect(String token) {
      if (!eat(token)) {
        throw error("expected '" + token + "'" + found());
      }
    }

    String found() {
      return pos < s.length() ? " but found '" + s.charAt(pos) + "'" : " but the expression"
          + " ends";
    }

    Node conditional(int depth) {
      if (depth > MAX_DEPTH) {
        throw error("the expression nests deeper than " + MAX_DEPTH + " levels");
      }
      Node c = or(depth);
      if (!eat("?")) {
        return c;
      }
      Node a = conditional(depth + 1);
      expect(":");
      Node b = conditional(depth + 1);
      return (p, l, o) -> c.eval(p, l, o) != 0 ? a.eval(p, l, o) : b.eval(p, l, o);
    }

    Node or(int depth) {
      Node left = and(depth);
      while (eat("||")) {
        Node a = left;
        Node b = and(depth);
        left = (p, l, o) -> truth(a.eval(p, l, o) != 0 || b.eval(p, l, o) != 0);
      }
      return left;
    }

    Node and(int depth) {
      Node left = comparison(depth);
      while (eat("&&")) {
        Node a = left;
        Node b = comparison(depth);
        left = (p, l, o) -> truth(a.eval(p, l, o) != 0 && b.eval(p, l, o) != 0);
      }
      return left;
    }

    Node comparison(int depth) {
      Node a = sum(depth);
      for (String op : List.of("<=", ">=", "==", "!=", "<", ">")) {
        if (eat(op)) {
          Node b = sum(depth);
          return switch (op) {
            case "<=" -> (p, l, o) -> truth(a.eval(p, l, o) <= b.eval(p, l, o));
            case ">=" -> (p, l, o) -> truth(a.eval(p, l, o) >= b.eval(p, l, o));
            case "==" -> (p, l, o) -> truth(a.eval(p, l, o) == b.eval(p, l, o));
            case "!=" -> (p, l, o) -> truth(a.eval(p, l, o) != b.eval(p, l, o));
            case "<" -> (p, l, o) -> truth(a.eval(p, l, o) < b.eval(p, l, o));
            default -> (p, l, o) -> truth(a.eval(p, l, o) > b.eval(p, l, o));
          };
        }
      }
      return a;
    }

    Node sum(int depth) {
      Node left = product(depth);
      while (true) {
        if (eat("+")) {
          Node a = left;
          Node b = product(depth);
          left = (p, l, o) -> a.eval(p, l, o) + b.eval(p, l, o);
        } else if (eat("-")) {
          Node a = left;
          Node b = product(depth);
          left = (p, l, o) -> a.eval(p, l, o) - b.eval(p, l, o);
        } else {
          return left;
        }
      }
    }

    Node product(int depth) {
      Node left = unary(depth);
      while (true) {
        if (eat("*")) {
          Node a = left;
          Node b = unary(depth);
          left = (p, l, o) -> a.eval(p, l, o) * b.eval(p, l, o);
        } else if (eat("/")) {
          Node a = left;
          Node b = unary(depth);
          left = (p, l, o) -> a.eval(p, l, o) / b.eval(p, l, o);
        } else {
          return left;
        }
      }
    }

    Node unary(int depth) {
      if (depth > MAX_DEPTH) {
        throw error("the expression nests deeper than " + MAX_DEPTH + " levels");
      }
      if (eat("-")) {
        Node a = unary(depth + 1);
        return (p, l, o) -> -a.eval(p, l, o);
      }
      if (eat("!")) {
        if (s.startsWith("=", pos)) {
          throw error("unexpected '='");
        }
        Node a = unary(depth + 1);
        return (p, l, o) -> truth(a.eval(p, l, o) == 0);
      }
      return primary(depth);
    }

    Node primary(int depth) {
      skipSpace();
      if (eat("(")) {
        Node inner = conditional(depth + 1);
        expect(")");
        return inner;
      }
      if (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
        return number();
      }
      if (pos < s.length() && Character.isLetter(s.charAt(pos))) {
        return name(depth);
      }
      throw error("expected a number, a variable, a function or '('" + found());
    }

    Node number() {
      int start = pos;
      while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
        pos++;
      }
      if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
        pos++;
        if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
          pos++;
        }
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
      }
      String token = s.substring(start, pos);
      double v;
      try {
        v = Double.parseDouble(token);
      } catch (NumberFormatException e) {
        pos = start;
        throw error("'" + token + "' is not a number");
      }
      return (p, l, o) -> v;
    }

    Node name(int depth) {
      int start = pos;
      while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos))
          || s.charAt(pos) == '_')) {
        pos++;
      }
      String name = s.substring(start, pos).toLowerCase(Locale.ROOT);
      skipSpace();
      if (pos < s.length() && s.charAt(pos) == '(') {
        pos = start;
        return call(name, depth);
      }
      return switch (name) {
        case "pred" -> (p, l, o) -> p;
        case "label" -> (p, l, o) -> l;
        case "output" -> (p, l, o) -> o;
        default -> {
          pos = start;
          throw error("unknown variable '" + name + "'; the variables are " + VARIABLES);
        }
      };
    }

    Node call(String name, int depth) {
      int start = pos;
      pos += name.length();
      expect("(");
      Node a = conditional(depth + 1);
      Node b = null;
      if (eat(",")) {
        b = conditional(depth + 1);
      }
      expect(")");
      int arity = b == null ? 1 : 2;
      Node x = b;
      Node f = switch (name + "/" + arity) {
        case "abs/1" -> (p, l, o) -> Math.abs(a.eval(p, l, o));
        case "sqrt/1" -> (p, l, o) -> Math.sqrt(a.eval(p, l, o));
        case "log/1" -> (p, l, o) -> Math.log(a.eval(p, l, o));
        case "exp/1" -> (p, l, o) -> Math.exp(a.eval(p, l, o));
        case "min/2" -> (p, l, o) -> Math.min(a.eval(p, l, o), x.eval(p, l, o));
        case "max/2" -> (p, l, o) -> Math.max(a.eval(p, l, o), x.eval(p, l, o));
        case "pow/2" -> (p, l, o) -> Math.pow(a.eval(p, l, o), x.eval(p, l, o));
        default -> null;
      };
      if (f == null) {
        pos = start;
        throw error("unknown function " + name + " of " + arity + " argument(s); the functions"
            + " are abs(x), sqrt(x), log(x), exp(x), min(x, y), max(x, y), pow(x, y)");
      }
      return f;
    }
  }
}
