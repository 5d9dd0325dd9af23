package io.mlserve.store;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * The rollout section of a model's deployment record ({@link Deployment#rollout()}): a canary
 * that moves the model's unversioned traffic from the {@code stable} version to the
 * {@code candidate} in weight {@code steps}, baking each step for {@code bakeMillis} and judging
 * it on the candidate's own window against {@code thresholds}. Both the plan (candidate, steps,
 * bake, thresholds, pause-at) and the observed status (step, state, when the step started,
 * extensions, the last analysis, why it aborted) live here, so a controller on any server
 * resumes a rollout from the record alone.
 *
 * <p>States: {@link State#RUNNING} (the step at {@code step} bakes), {@link State#PAUSED} (an
 * operator paused it; the split stays as it is), {@link State#WAITING_FOR_RESUME} (the
 * {@code pauseAt} step passed its analysis and waits for a manual resume), and the terminal
 * {@link State#ABORTED} (candidate weight 0) and {@link State#SUCCEEDED} (candidate in
 * Production, split cleared). Immutable; the compact constructor checks every rule, so a record
 * read from disk is as valid as one a registry wrote.
 *
 * @param candidate the version rolled out
 * @param stable the Production version it replaces (takes {@code 100 - weight})
 * @param steps the candidate's weight at each step, in percent: strictly increasing, in
 *     {@code (0, 100]}, at most two decimals, the last one 100
 * @param bakeMillis how long each step bakes before its analysis, 1 s to 24 h
 * @param thresholds what a step's analysis checks
 * @param pauseAt a weight of {@code steps} (not the last) after whose analysis the rollout
 *     waits for a resume, or null
 * @param step the index of the current step in {@code steps}
 * @param state where the rollout is
 * @param stepStartedAt when the current step began (epoch ms)
 * @param extensions how often the current step's bake was extended for too few requests
 * @param lastAnalysis the last analysis in words, or null
 * @param abortReason why it was aborted (the failing check and its numbers), or null
 */
public record Rollout(String candidate, String stable, List<Double> steps, long bakeMillis,
    Thresholds thresholds, Double pauseAt, int step, State state, long stepStartedAt,
    int extensions, String lastAnalysis, String abortReason) {

  /** The default steps, 5 → 25 → 50 → 100. */
  public static final List<Double> DEFAULT_STEPS = List.of(5.0, 25.0, 50.0, 100.0);
  /** The shortest bake a step may have. */
  public static final long MIN_BAKE_MILLIS = 1_000;
  /** The longest bake a step may have. */
  public static final long MAX_BAKE_MILLIS = 24 * 3_600_000L;
  /** The most steps a rollout may have. */
  public static final int MAX_STEPS = 20;

  /** Where a rollout is. */
  public enum State {
    RUNNING, PAUSED, WAITING_FOR_RESUME, ABORTED, SUCCEEDED;

    /** Whether the rollout still owns the model's split (not ABORTED or SUCCEEDED). */
    public boolean isActive() {
      return this != ABORTED && this != SUCCEEDED;
    }

    /** The state named {@code s} (as {@link #name()}), case-insensitive. */
    public static State parse(String s) {
      for (State st : values()) {
        if (st.name().equalsIgnoreCase(s)) {
          return st;
        }
      }
      throw new IllegalArgumentException("unknown rollout state '" + Names.printable(s)
          + "'; expected one of RUNNING, PAUSED, WAITING_FOR_RESUME, ABORTED, SUCCEEDED");
    }
  }

  /**
   * What a step's analysis checks on the candidate's window.
   *
   * @param maxErrorRate the highest error rate that passes, in {@code [0, 1]}
   * @param maxP95Ms the highest p95 latency that passes, milliseconds, above 0
   * @param minRequests the fewest requests a window needs to be judged at all (fewer: the bake
   *     extends), at least 1
   * @param maxDivergence the highest divergence from the stable version that passes (where one
   *     is measured), at least 0, or null for no divergence check
   * @param maxFeedbackRegression how much worse than the stable version's the candidate's
   *     feedback metric may be, relative, in {@code [0, 1]} (0.05: at most 5% worse; "worse"
   *     is higher for MAE and RMSE, lower for accuracy and reward), or null for no feedback
   *     check. When set, a step where both versions serve is not passed until both arms have
   *     {@code minFeedback} outcomes (fewer: the bake extends)
   * @param minFeedback the fewest feedback outcomes each arm needs for the feedback check, at
   *     least 1 (only used with {@code maxFeedbackRegression})
   */
  public record Thresholds(double maxErrorRate, double maxP95Ms, long minRequests,
      Double maxDivergence, Double maxFeedbackRegression, long minFeedback) {
    /** The outcomes per arm the feedback check needs when none is given. */
    public static final long DEFAULT_MIN_FEEDBACK = 30;
    /**
     * The defaults: error rate 0.01, p95 200 ms, 100 requests, no divergence check, no
     * feedback check.
     */
    public static final Thresholds DEFAULTS = new Thresholds(0.01, 200, 100, null);

    public Thresholds {
      if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) {
        throw new IllegalArgumentException("max error rate " + maxErrorRate
            + " is not a fraction from 0 to 1 (e.g. 0.01)");
      }
      if (!(maxP95Ms > 0) || !Double.isFinite(maxP95Ms)) {
        throw new IllegalArgumentException("max p95 " + maxP95Ms
            + " ms is not a positive number of milliseconds");
      }
      if (minRequests < 1) {
        throw new IllegalArgumentException("min requests " + minRequests
            + " is below 1: a step is never judged on no requests");
      }
      if (maxDivergence != null && (!(maxDivergence >= 0) || !Double.isFinite(maxDivergence))) {
        throw new IllegalArgumentException("max divergence " + maxDivergence
            + " is not a non-negative number");
      }
      if (maxFeedbackRegression != null
          && !(maxFeedbackRegression >= 0 && maxFeedbackRegression <= 1)) {
        throw new IllegalArgumentException("max feedback regression " + maxFeedbackRegression
            + " is not a fraction from 0 to 1 (0.05: the candidate's feedback metric at most 5%"
            + " worse than the stable version's)");
      }
      if (minFeedback < 1) {
        throw new IllegalArgumentException("min feedback " + minFeedback
            + " is below 1: feedback is never compared on no outcomes");
      }
    }

    /** Thresholds without a feedback check ({@link #DEFAULT_MIN_FEEDBACK} kept for one). */
    public Thresholds(double maxErrorRate, double maxP95Ms, long minRequests,
        Double maxDivergence) {
      this(maxErrorRate, maxP95Ms, minRequests, maxDivergence, null, DEFAULT_MIN_FEEDBACK);
    }

    /**
     * These thresholds with the feedback check as a request gives it: {@code maxRegression}
     * null for none, {@code minFeedback} null for {@link #DEFAULT_MIN_FEEDBACK}.
     *
     * @throws IllegalArgumentException for a value out of its bounds, or a
     *     {@code minFeedback} without a {@code maxRegression} (it would check nothing)
     */
    public Thresholds withFeedback(Double maxRegression, Long minFeedback) {
      if (maxRegression == null && minFeedback != null) {
        throw new IllegalArgumentException("min feedback " + minFeedback + " is set without a"
            + " max feedback regression: it only says how many outcomes the feedback check"
            + " needs, so set both");
      }
      return new Thresholds(maxErrorRate, maxP95Ms, minRequests, maxDivergence, maxRegression,
          minFeedback == null ? DEFAULT_MIN_FEEDBACK : minFeedback);
    }
  }

  public Rollout {
    Objects.requireNonNull(candidate, "candidate");
    Objects.requireNonNull(stable, "stable");
    Objects.requireNonNull(thresholds, "thresholds");
    Objects.requireNonNull(state, "state");
    steps = List.copyOf(Objects.requireNonNull(steps, "steps"));
    checkSteps(steps);
    if (candidate.equals(stable)) {
      throw new IllegalArgumentException("the candidate " + candidate
          + " is the stable version; roll out another version");
    }
    if (bakeMillis < MIN_BAKE_MILLIS || bakeMillis > MAX_BAKE_MILLIS) {
      throw new IllegalArgumentException("bake " + bakeMillis + " ms is not from 1 s to 24 h");
    }
    if (pauseAt != null) {
      int i = steps.indexOf(pauseAt);
      if (i < 0) {
        throw new IllegalArgumentException("pause-at " + format(pauseAt)
            + " is not one of the steps " + spec(steps));
      }
      if (i == steps.size() - 1) {
        throw new IllegalArgumentException("pause-at " + format(pauseAt)
            + " is the last step; pause at an earlier one (promote ends the rollout)");
      }
    }
    if (thresholds.maxFeedbackRegression() != null && steps.size() < 2) {
      throw new IllegalArgumentException("a max feedback regression needs a step below 100:"
          + " feedback is compared while the stable version still serves, and at 100% it"
          + " serves nothing (e.g. steps 5,25,50,100)");
    }
    if (step < 0 || step >= steps.size()) {
      throw new IllegalArgumentException("step " + step + " is not an index of the steps "
          + spec(steps));
    }
    if (extensions < 0) {
      throw new IllegalArgumentException("extensions " + extensions + " is negative");
    }
  }

  private static void checkSteps(List<Double> steps) {
    if (steps.isEmpty() || steps.size() > MAX_STEPS) {
      throw new IllegalArgumentException("a rollout has 1 to " + MAX_STEPS
          + " steps, got " + steps.size());
    }
    double last = 0;
    for (Double w : steps) {
      if (w == null || !Double.isFinite(w) || w <= 0 || w > 100) {
        throw new IllegalArgumentException("step " + w + " is not a weight in (0, 100]");
      }
      if (Math.abs(w * 100 - Math.rint(w * 100)) > 1e-6) {
        throw new IllegalArgumentException("step " + format(w)
            + " has more than two decimals (the finest step is 0.01%)");
      }
      if (w <= last) {
        throw new IllegalArgumentException("steps " + spec(steps)
            + " are not strictly increasing");
      }
      last = w;
    }
    if (last != 100) {
      throw new IllegalArgumentException("steps " + spec(steps)
          + " must end at 100 (the candidate takes all traffic before it is promoted)");
    }
  }

  /** The candidate's weight at the current step. */
  public double weight() {
    return steps.get(step);
  }

  /** Whether the current step is the last one (weight 100). */
  public boolean atLastStep() {
    return step == steps.size() - 1;
  }

  /** The split at the current step: stable then candidate. */
  public java.util.Map<String, Double> splitWeights() {
    return weights(weight());
  }

  /** The split with the candidate at {@code candidateWeight} and stable the rest. */
  public java.util.Map<String, Double> weights(double candidateWeight) {
    java.util.Map<String, Double> w = new java.util.LinkedHashMap<>();
    w.put(stable, BigDecimal.valueOf(100).subtract(BigDecimal.valueOf(candidateWeight))
        .doubleValue());
    w.put(candidate, candidateWeight);
    return w;
  }

  /** This rollout at step {@code newStep}, RUNNING, started at {@code now}, no extensions. */
  public Rollout atStep(int newStep, long now, String analysis) {
    return new Rollout(candidate, stable, steps, bakeMillis, thresholds, pauseAt, newStep,
        State.RUNNING, now, 0, analysis, null);
  }

  /** This rollout in {@code newState}, the rest as it is but the analysis. */
  public Rollout inState(State newState, String analysis) {
    return new Rollout(candidate, stable, steps, bakeMillis, thresholds, pauseAt, step,
        newState, stepStartedAt, extensions, analysis, abortReason);
  }

  /** This rollout, RUNNING, with the current step's bake restarted at {@code now}. */
  public Rollout restarted(long now, String analysis) {
    return new Rollout(candidate, stable, steps, bakeMillis, thresholds, pauseAt, step,
        State.RUNNING, now, extensions, analysis, abortReason);
  }

  /** This rollout with one more extension of the current step's bake. */
  public Rollout extended(String analysis) {
    return new Rollout(candidate, stable, steps, bakeMillis, thresholds, pauseAt, step, state,
        stepStartedAt, extensions + 1, analysis, abortReason);
  }

  /** This rollout, ABORTED for {@code reason}. */
  public Rollout aborted(String reason) {
    return new Rollout(candidate, stable, steps, bakeMillis, thresholds, pauseAt, step,
        State.ABORTED, stepStartedAt, extensions, lastAnalysis, reason);
  }

  /** Steps in the CLI form, e.g. {@code 5,25,50,100}. */
  public static String spec(List<Double> steps) {
    StringBuilder sb = new StringBuilder();
    for (Double w : steps) {
      sb.append(sb.length() == 0 ? "" : ",").append(w == null ? "null" : format(w));
    }
    return sb.toString();
  }

  /**
   * Parses steps in the CLI form {@code 5,25,50,100}.
   *
   * @throws IllegalArgumentException naming the part that is not a number
   */
  public static List<Double> parseSteps(String spec) {
    Objects.requireNonNull(spec, "spec");
    List<Double> out = new java.util.ArrayList<>();
    for (String part : spec.split(",", -1)) {
      try {
        out.add(new BigDecimal(part.strip()).doubleValue());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("step '" + Names.printable(part.strip())
            + "' is not a number (e.g. 5,25,50,100)", e);
      }
    }
    checkSteps(out);
    return List.copyOf(out);
  }

  private static String format(double w) {
    return TrafficSplit.format(w);
  }
}
