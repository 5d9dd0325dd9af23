package io.mlserve.evaluation;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The decision drawn from an evaluation by the model's approval policy: an outcome and the
 * gates behind it. The evaluator never sets one; the approval workflow attaches it with
 * {@link Evaluation#withVerdict}. Immutable.
 *
 * @param outcome pass, fail, or inconclusive (not enough data to decide)
 * @param gates the gates checked, in the policy's order
 */
public record Verdict(Outcome outcome, List<GateResult> gates) {
  public Verdict {
    Objects.requireNonNull(outcome, "outcome");
    gates = List.copyOf(gates);
  }

  /** A verdict's or a gate's outcome. */
  public enum Outcome {
    PASS,
    FAIL,
    INCONCLUSIVE;

    /** The lower-case name used in JSON. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a {@link #wireName}. */
    public static Outcome parse(String text) {
      for (Outcome o : values()) {
        if (o.wireName().equals(text)) {
          return o;
        }
      }
      throw new IllegalArgumentException("unknown outcome '" + text
          + "'; expected pass, fail or inconclusive");
    }
  }
}
