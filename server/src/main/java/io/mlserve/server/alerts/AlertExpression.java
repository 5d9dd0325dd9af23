package io.mlserve.server.alerts;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A parsed rule expression: comparisons of {@link SignalNames signals} with numbers, joined by
 * {@code and} / {@code or}, with optional parentheses, e.g.
 * {@code cpu_utilization > 0.8 or memory_utilization > 0.8}. As in PromQL, {@code and} binds
 * tighter than {@code or}. All signals of one expression are model signals or all are process
 * signals; that decides the rule's scope kind. Immutable; thread-safe.
 *
 * <p>Evaluation follows PromQL's filtering comparisons: a comparison over a signal with no value
 * is false (an absent series yields nothing); {@code a or b} holds where either holds and takes
 * the value of {@code a} when {@code a} holds; {@code a and b} holds where both hold and takes
 * {@code a}'s value. A NaN value is treated as no value (PromQL differs only for {@code !=},
 * where {@code NaN != x} is true).
 */
public final class AlertExpression {
  /** The comparison operators, as PromQL writes them. */
  public enum Op {
    GT(">"), GE(">="), LT("<"), LE("<="), EQ("=="), NE("!=");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    boolean test(double v, double threshold) {
      return switch (this) {
        case GT -> v > threshold;
        case GE -> v >= threshold;
        case LT -> v < threshold;
        case LE -> v <= threshold;
        case EQ -> v == threshold;
        case NE -> v != threshold;
      };
    }
  }

  /** A node of the expression tree. */
  public sealed interface Node permits Comparison, Junction {}

  /** {@code signal op threshold}. */
  public record Comparison(String signal, Op op, double threshold) implements Node {}

  /** {@code left and right} ({@code and} true) or {@code left or right}. */
  public record Junction(boolean and, Node left, Node right) implements Node {}

  /** A comparison that held, and the value that made it hold. */
  public record Hit(Comparison comparison, double value) {}

  /** The longest expression accepted, in characters. */
  public static final int MAX_LENGTH = 1000;
  /** The most comparisons in one expression. */
  public static final int MAX_COMPARISONS = 16;

  private final Node root;
  private final List<Comparison> comparisons;
  private final boolean process;

  private AlertExpression(Node root) {
    this.root = root;
    List<Comparison> all = new ArrayList<>();
    collect(root, all);
    this.comparisons = List.copyOf(all);
    this.process = SignalNames.PROCESS.contains(all.get(0).signal());
  }

  /**
   * Parses {@code text}.
   *
   * @throws AlertConfigException saying what is wrong and where
   */
  public static AlertExpression parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.length() > MAX_LENGTH) {
      throw new AlertConfigException("expr is longer than " + MAX_LENGTH + " characters");
    }
    AlertExpression e = new AlertExpression(new ExpressionParser(text).parse());
    if (e.comparisons.size() > MAX_COMPARISONS) {
      throw new AlertConfigException("expr has " + e.comparisons.size() + " comparisons; at"
          + " most " + MAX_COMPARISONS + " are allowed");
    }
    Set<String> model = new TreeSet<>();
    Set<String> proc = new TreeSet<>();
    for (Comparison c : e.comparisons) {
      (SignalNames.PROCESS.contains(c.signal()) ? proc : model).add(c.signal());
    }
    if (!model.isEmpty() && !proc.isEmpty()) {
      throw new AlertConfigException("expr mixes model signals (" + String.join(", ", model)
          + ") with process signals (" + String.join(", ", proc) + "); a rule is evaluated"
          + " either per model version or for the server process: write two rules");
    }
    return e;
  }

  public Node root() {
    return root;
  }

  /** Every comparison, left to right. */
  public List<Comparison> comparisons() {
    return comparisons;
  }

  /** Whether the expression is over process signals (else over model signals). */
  public boolean isProcess() {
    return process;
  }

  /**
   * Evaluates the expression; {@code values} gives each signal's value (empty when there is
   * none).
   *
   * @return the first comparison that held and its value, or null when the expression is false
   */
  public Hit evaluate(Function<String, OptionalDouble> values) {
    return evaluate(root, values);
  }

  private static Hit evaluate(Node n, Function<String, OptionalDouble> values) {
    if (n instanceof Comparison c) {
      OptionalDouble v = values.apply(c.signal());
      if (v.isEmpty() || Double.isNaN(v.getAsDouble())) {
        return null;
      }
      return c.op().test(v.getAsDouble(), c.threshold()) ? new Hit(c, v.getAsDouble()) : null;
    }
    Junction j = (Junction) n;
    Hit left = evaluate(j.left(), values);
    if (j.and()) {
      return left != null && evaluate(j.right(), values) != null ? left : null;
    }
    return left != null ? left : evaluate(j.right(), values);
  }

  /** The expression in its canonical text (parentheses only where precedence needs them). */
  @Override
  public String toString() {
    return text(root, false);
  }

  private static String text(Node n, boolean inAnd) {
    if (n instanceof Comparison c) {
      return c.signal() + " " + c.op().symbol() + " " + number(c.threshold());
    }
    Junction j = (Junction) n;
    String s = text(j.left(), j.and()) + (j.and() ? " and " : " or ") + text(j.right(), j.and());
    return !j.and() && inAnd ? "(" + s + ")" : s;
  }

  /** A threshold as written in an expression: plain decimal, no exponent, no trailing zeros. */
  public static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  private static void collect(Node n, List<Comparison> out) {
    if (n instanceof Comparison c) {
      out.add(c);
    } else {
      Junction j = (Junction) n;
      collect(j.left(), out);
      collect(j.right(), out);
    }
  }
}
