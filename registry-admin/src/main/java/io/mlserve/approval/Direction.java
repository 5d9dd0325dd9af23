package io.mlserve.approval;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which way a metric improves. Known metrics have a default ({@link #known}); a custom metric's
 * gate must state it. A relative bound always limits a regression, so it must point the way the
 * metric gets worse: {@code max_ratio}/{@code max_increase} for lower-is-better metrics,
 * {@code min_ratio}/{@code max_decrease} for higher-is-better ones.
 */
public enum Direction {
  LOWER_IS_BETTER, HIGHER_IS_BETTER;

  private static final Map<String, Direction> KNOWN = Map.ofEntries(
      Map.entry("mae", LOWER_IS_BETTER), Map.entry("mse", LOWER_IS_BETTER),
      Map.entry("rmse", LOWER_IS_BETTER), Map.entry("mape", LOWER_IS_BETTER),
      Map.entry("log_loss", LOWER_IS_BETTER), Map.entry("p50_ms", LOWER_IS_BETTER),
      Map.entry("p95_ms", LOWER_IS_BETTER), Map.entry("p99_ms", LOWER_IS_BETTER),
      Map.entry("error_rate", LOWER_IS_BETTER),
      Map.entry("r2", HIGHER_IS_BETTER), Map.entry("accuracy", HIGHER_IS_BETTER),
      Map.entry("precision_macro", HIGHER_IS_BETTER), Map.entry("recall_macro",
          HIGHER_IS_BETTER), Map.entry("f1_macro", HIGHER_IS_BETTER),
      Map.entry("rows_per_second", HIGHER_IS_BETTER));

  /** The name in policy files: {@code "lower_is_better"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The default direction of a known metric (e.g. rmse: lower is better), if it has one. */
  public static Optional<Direction> known(String metric) {
    return Optional.ofNullable(KNOWN.get(metric));
  }

  /**
   * The direction named {@code s}.
   *
   * @throws PolicyException naming the allowed values
   */
  public static Direction parse(String s) {
    for (Direction d : values()) {
      if (d.wireName().equalsIgnoreCase(s.strip())) {
        return d;
      }
    }
    throw new PolicyException("direction '" + io.mlserve.store.Names.printable(s)
        + "' is not one of lower_is_better, higher_is_better");
  }
}
