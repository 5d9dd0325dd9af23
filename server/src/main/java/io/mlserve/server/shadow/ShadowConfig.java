package io.mlserve.server.shadow;

import java.time.Duration;
import java.util.Objects;

/**
 * How a model's shadow is fed and judged.
 *
 * @param sample the fraction of the primary's answered requests mirrored, in (0, 1]; decided by
 *     the request id, so the same id always gets the same decision (see {@link Sampler})
 * @param atol absolute tolerance of the agreement test {@code |s - p| <= atol + rtol * |p|}
 * @param rtol relative tolerance of that test ({@code p} is the primary's value, as numpy's
 *     {@code isclose(shadow, primary)})
 * @param maxQueued copies waiting for the shadow at most; more are dropped and counted
 * @param maxQueuedBytes bytes (inputs and primary outputs) of the waiting copies at most
 * @param maxInFlight copies submitted to the shadow and not yet finished, at most
 * @param deadline how long the shadow has for one copy, from its submission; then it is
 *     cancelled and counted as a timeout
 * @param worstKept how many worst-diverging examples the report keeps
 */
public record ShadowConfig(double sample, double atol, double rtol, int maxQueued,
    long maxQueuedBytes, int maxInFlight, Duration deadline, int worstKept) {
  /** numpy.isclose's defaults are 1e-8 / 1e-5; a served float32 model needs looser ones. */
  public static final double DEFAULT_ATOL = 1e-4;
  public static final double DEFAULT_RTOL = 1e-3;
  public static final int DEFAULT_MAX_QUEUED = 1024;
  public static final long DEFAULT_MAX_QUEUED_BYTES = 64L << 20;
  public static final int DEFAULT_MAX_IN_FLIGHT = 64;
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);
  public static final int DEFAULT_WORST_KEPT = 10;
  /** The largest {@link #worstKept}: each example holds bounded previews, but still. */
  public static final int MAX_WORST_KEPT = 100;

  /**
   * @throws IllegalArgumentException naming the value out of range and the range
   */
  public ShadowConfig {
    Objects.requireNonNull(deadline, "deadline");
    if (!(sample > 0 && sample <= 1)) {
      throw new IllegalArgumentException("sample must be in (0, 1], got " + sample);
    }
    if (!(atol >= 0) || Double.isInfinite(atol)) {
      throw new IllegalArgumentException("atol must be a finite number >= 0, got " + atol);
    }
    if (!(rtol >= 0) || Double.isInfinite(rtol)) {
      throw new IllegalArgumentException("rtol must be a finite number >= 0, got " + rtol);
    }
    if (maxQueued < 1) {
      throw new IllegalArgumentException("the shadow queue must hold at least 1 request, got "
          + maxQueued);
    }
    if (maxQueuedBytes < 1) {
      throw new IllegalArgumentException("the shadow queue's byte bound must be at least 1, got "
          + maxQueuedBytes);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("at least 1 shadow request must be allowed in flight,"
          + " got " + maxInFlight);
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("the shadow deadline must be positive, got "
          + deadline.toMillis() + " ms");
    }
    if (worstKept < 0 || worstKept > MAX_WORST_KEPT) {
      throw new IllegalArgumentException("worst examples kept must be in [0, " + MAX_WORST_KEPT
          + "], got " + worstKept);
    }
  }

  /** The given sample rate and tolerances, the other bounds at their defaults. */
  public static ShadowConfig of(double sample, double atol, double rtol) {
    return new ShadowConfig(sample, atol, rtol, DEFAULT_MAX_QUEUED, DEFAULT_MAX_QUEUED_BYTES,
        DEFAULT_MAX_IN_FLIGHT, DEFAULT_DEADLINE, DEFAULT_WORST_KEPT);
  }

  /** Every value at its default, mirroring every request. */
  public static ShadowConfig defaults() {
    return of(1.0, DEFAULT_ATOL, DEFAULT_RTOL);
  }

  /** This config with other queue bounds. */
  public ShadowConfig withQueue(int maxQueued, long maxQueuedBytes, int maxInFlight) {
    return new ShadowConfig(sample, atol, rtol, maxQueued, maxQueuedBytes, maxInFlight, deadline,
        worstKept);
  }

  /** This config with another deadline. */
  public ShadowConfig withDeadline(Duration deadline) {
    return new ShadowConfig(sample, atol, rtol, maxQueued, maxQueuedBytes, maxInFlight, deadline,
        worstKept);
  }

  /** This config keeping another number of worst examples. */
  public ShadowConfig withWorstKept(int worstKept) {
    return new ShadowConfig(sample, atol, rtol, maxQueued, maxQueuedBytes, maxInFlight, deadline,
        worstKept);
  }
}
