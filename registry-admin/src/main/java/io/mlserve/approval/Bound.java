package io.mlserve.approval;

/**
 * One kind of limit a gate sets on a metric: absolute ({@link #MAX}, {@link #MIN}) or relative to
 * the baseline's value on the same dataset ({@link #MAX_RATIO}: candidate ≤ r × baseline,
 * {@link #MIN_RATIO}: candidate ≥ r × baseline, {@link #MAX_INCREASE}: candidate − baseline ≤ d,
 * {@link #MAX_DECREASE}: baseline − candidate ≤ d). The shape of MLflow's metric thresholds.
 */
public enum Bound {
  MAX("max", false), MIN("min", false), MAX_RATIO("max_ratio", true),
  MIN_RATIO("min_ratio", true), MAX_INCREASE("max_increase", true),
  MAX_DECREASE("max_decrease", true);

  private final String field;
  private final boolean relative;

  Bound(String field, boolean relative) {
    this.field = field;
    this.relative = relative;
  }

  /** The field name in a policy's gate: {@code "max_ratio"}. */
  public String field() {
    return field;
  }

  /** Whether the bound compares with the baseline (and so needs one). */
  public boolean relative() {
    return relative;
  }

  /** The direction in which this relative bound limits a regression, or null if absolute. */
  Direction regressionOf() {
    return switch (this) {
      case MAX_RATIO, MAX_INCREASE -> Direction.LOWER_IS_BETTER;
      case MIN_RATIO, MAX_DECREASE -> Direction.HIGHER_IS_BETTER;
      default -> null;
    };
  }
}
