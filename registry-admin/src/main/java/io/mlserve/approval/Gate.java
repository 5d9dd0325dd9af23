package io.mlserve.approval;

import io.mlserve.store.Names;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One gate of a policy: a metric, the way it improves, and one or more {@link Bound}s. The
 * compact constructor checks every rule, so a gate read from disk is as valid as one a user
 * wrote: a metric name of letters, digits, {@code _ . -}; a direction (required for a metric
 * without a {@link Direction#known} default); at least one bound; every bound finite, ratios
 * above 0, increases/decreases at least 0, {@code min ≤ max}; relative bounds pointing the way
 * the metric gets worse. Immutable.
 *
 * @param metric the metric's name as the evaluation reports it, e.g. {@code "rmse"}
 * @param direction which way it improves (never null once built)
 * @param bounds the limits, in {@link Bound} order
 */
public record Gate(String metric, Direction direction, Map<Bound, Double> bounds) {
  private static final Pattern METRIC = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  public Gate {
    Objects.requireNonNull(metric, "metric");
    if (!METRIC.matcher(metric).matches()) {
      throw new PolicyException("gate metric '" + Names.printable(metric) + "' is not a metric"
          + " name (letters, digits, _ . -; at most 64)");
    }
    String label = "gate " + metric;
    if (direction == null) {
      direction = Direction.known(metric).orElseThrow(() -> new PolicyException(label
          + ": 'direction' is required for a metric without a known direction (lower_is_better"
          + " or higher_is_better)"));
    }
    Map<Bound, Double> b = new EnumMap<>(Bound.class);
    if (bounds != null) {
      bounds.forEach((k, v) -> {
        if (v != null) {
          b.put(k, v);
        }
      });
    }
    if (b.isEmpty()) {
      throw new PolicyException(label + ": no bound; give at least one of max, min, max_ratio,"
          + " min_ratio, max_increase, max_decrease");
    }
    for (Map.Entry<Bound, Double> e : b.entrySet()) {
      Bound k = e.getKey();
      double v = e.getValue();
      if (!Double.isFinite(v)) {
        throw new PolicyException(label + ": " + k.field() + " must be a finite number");
      }
      if ((k == Bound.MAX_RATIO || k == Bound.MIN_RATIO) && v <= 0) {
        throw new PolicyException(label + ": " + k.field() + " must be above 0, got " + v);
      }
      if ((k == Bound.MAX_INCREASE || k == Bound.MAX_DECREASE) && v < 0) {
        throw new PolicyException(label + ": " + k.field() + " must be 0 or more, got " + v);
      }
      if (k.relative() && k.regressionOf() != direction) {
        throw new PolicyException(label + ": " + k.field() + " does not bound a regression of a "
            + direction.wireName() + " metric; use " + (direction == Direction.LOWER_IS_BETTER
                ? "max_ratio or max_increase" : "min_ratio or max_decrease"));
      }
    }
    if (b.containsKey(Bound.MIN) && b.containsKey(Bound.MAX) && b.get(Bound.MIN) > b.get(
        Bound.MAX)) {
      throw new PolicyException(label + ": min " + b.get(Bound.MIN) + " is above max "
          + b.get(Bound.MAX));
    }
    bounds = Collections.unmodifiableMap(b);
  }
}
