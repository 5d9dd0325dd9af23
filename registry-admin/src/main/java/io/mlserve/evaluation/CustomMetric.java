package io.mlserve.evaluation;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A business metric declared in the model's policy: a name and an expression evaluated per
 * scored value and averaged over the dataset (for a regression once per output value, for a
 * classification once per row). The expression language is {@link Expression}'s.
 *
 * @param name the metric's name: lower-case letters, digits and underscores, starting with a
 *     letter, at most 64 characters, and not a built-in metric's name
 * @param expression the per-value expression, e.g. {@code abs(pred - label) * (pred < label ?
 *     3 : 1)}
 */
public record CustomMetric(String name, String expression) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  public CustomMetric {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(expression, "expression");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("custom metric name '" + name + "' is not valid: use"
          + " lower-case letters, digits and underscores, starting with a letter (at most 64)");
    }
  }
}
