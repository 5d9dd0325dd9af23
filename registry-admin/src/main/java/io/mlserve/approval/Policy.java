package io.mlserve.approval;

import io.mlserve.evaluation.CustomMetric;
import io.mlserve.evaluation.Expression;

import io.mlserve.store.Names;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A model's approval policy ({@code <store>/<model>/policy.json}): how versions reaching Staging
 * are evaluated (the datasets) and judged (the gates), and who decides (the mode). The compact
 * constructor checks every rule ({@link PolicyJson} names the field at fault when it reads a
 * file). Immutable.
 *
 * @param mode who decides
 * @param datasets the evaluation datasets to run, at least one, no repeats
 * @param gates the gates, at most one per metric; at least one in automatic and hybrid modes
 *     (manual: may be empty, the verdict is then PASSED and informs only)
 * @param vetoWindow hybrid only: how long a passing version waits for a veto before it is
 *     approved, {@link #MIN_VETO} to {@link #MAX_VETO} (null in hybrid: {@link #DEFAULT_VETO})
 * @param fourEyes whether the approver must differ from the actor who registered the version
 * @param onPass what an automatic approval does
 * @param rollout the rollout's settings when {@code onPass} is {@link OnPass#ROLLOUT}, else null
 * @param metrics custom business metrics the evaluations compute (per scored value, averaged),
 *     which gates may name like built-in ones; possibly empty
 */
public record Policy(ApprovalMode mode, List<String> datasets, List<Gate> gates,
    Duration vetoWindow, boolean fourEyes, OnPass onPass, RolloutSettings rollout,
    List<CustomMetric> metrics) {
  /** The most custom metrics a policy may declare. */
  public static final int MAX_METRICS = 16;
  public static final Duration MIN_VETO = Duration.ofMinutes(1);
  public static final Duration MAX_VETO = Duration.ofDays(7);
  public static final Duration DEFAULT_VETO = Duration.ofHours(1);
  private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  /** What an approval in automatic or hybrid mode does next. */
  public enum OnPass {
    /** Promote the version to Production. */
    PROMOTE,
    /** Start a canary rollout of the version from Production (promote if there is none). */
    ROLLOUT;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Policy {
    Objects.requireNonNull(mode, "mode");
    metrics = metrics == null ? List.of() : List.copyOf(metrics);
    if (metrics.size() > MAX_METRICS) {
      throw new PolicyException("metrics: at most " + MAX_METRICS + " custom metrics, got "
          + metrics.size());
    }
    Set<String> names = new HashSet<>();
    for (CustomMetric m : metrics) {
      if (!names.add(m.name())) {
        throw new PolicyException("metrics: '" + m.name() + "' is declared twice");
      }
      try {
        Expression.parse(m.expression());
      } catch (IllegalArgumentException e) {
        throw new PolicyException("metrics: '" + m.name() + "': " + e.getMessage());
      }
    }
    datasets = List.copyOf(Objects.requireNonNull(datasets, "datasets"));
    gates = List.copyOf(Objects.requireNonNull(gates, "gates"));
    onPass = onPass == null ? OnPass.PROMOTE : onPass;
    if (datasets.isEmpty()) {
      throw new PolicyException("datasets: name at least one evaluation dataset");
    }
    Set<String> seen = new HashSet<>();
    for (String d : datasets) {
      if (!DATASET.matcher(d).matches()) {
        throw new PolicyException("datasets: '" + Names.printable(d) + "' is not a dataset name"
            + " (letters, digits, _ . -; at most 64)");
      }
      if (!seen.add(d)) {
        throw new PolicyException("datasets: '" + d + "' is named twice");
      }
    }
    Set<String> gated = new HashSet<>();
    for (Gate g : gates) {
      if (!gated.add(g.metric())) {
        throw new PolicyException("gates: two gates on " + g.metric() + "; put its bounds in one"
            + " gate");
      }
    }
    if (gates.isEmpty() && mode != ApprovalMode.MANUAL) {
      throw new PolicyException("gates: " + mode.wireName() + " mode decides by the gates; give"
          + " at least one");
    }
    if (mode == ApprovalMode.HYBRID) {
      vetoWindow = vetoWindow == null ? DEFAULT_VETO : vetoWindow;
      if (vetoWindow.compareTo(MIN_VETO) < 0 || vetoWindow.compareTo(MAX_VETO) > 0) {
        throw new PolicyException("veto_window " + Durations.format(vetoWindow) + " is out of"
            + " range: from 1m to 7d");
      }
    } else if (vetoWindow != null) {
      throw new PolicyException("veto_window only applies in hybrid mode (this policy is "
          + mode.wireName() + ")");
    }
    if (onPass == OnPass.ROLLOUT && mode == ApprovalMode.MANUAL) {
      throw new PolicyException("on_pass 'rollout' only applies in automatic and hybrid modes"
          + " (a manual approval never promotes by itself)");
    }
    if (onPass == OnPass.ROLLOUT) {
      rollout = rollout == null ? RolloutSettings.DEFAULTS : rollout;
    } else if (rollout != null) {
      throw new PolicyException("rollout settings need on_pass 'rollout'");
    }
  }

  /** The gate on {@code metric}, or null. */
  public Gate gate(String metric) {
    return gates.stream().filter(g -> g.metric().equals(metric)).findFirst().orElse(null);
  }
}
