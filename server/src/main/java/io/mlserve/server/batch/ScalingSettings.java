package io.mlserve.server.batch;

/**
 * The bounds and pacing of a batcher's worker autoscaling: between {@code min} and {@code max}
 * workers; a worker is added once the batcher has been overloaded for {@code upAfterNanos}, and
 * removed once it has been mostly idle for {@code downAfterNanos}, one step at a time and at most
 * one step per {@code cooldownNanos}. Immutable.
 */
public record ScalingSettings(
    int min, int max, long upAfterNanos, long downAfterNanos, long cooldownNanos) {
  /** Overload sustained this long adds a worker: 2 s. */
  public static final long DEFAULT_UP_AFTER_NANOS = 2_000_000_000L;
  /** Idleness sustained this long removes a worker: 30 s. */
  public static final long DEFAULT_DOWN_AFTER_NANOS = 30_000_000_000L;
  /** The least time between two steps: 5 s. */
  public static final long DEFAULT_COOLDOWN_NANOS = 5_000_000_000L;

  public ScalingSettings {
    if (min < 1 || max < min) {
      throw new IllegalArgumentException(
          "instances must satisfy 1 <= min <= max, got min " + min + ", max " + max);
    }
    if (upAfterNanos < 0 || downAfterNanos < 0 || cooldownNanos < 0) {
      throw new IllegalArgumentException("scaling windows must be >= 0");
    }
  }

  /** Between {@code min} and {@code max} workers with the default windows. */
  public static ScalingSettings between(int min, int max) {
    return new ScalingSettings(
        min, max, DEFAULT_UP_AFTER_NANOS, DEFAULT_DOWN_AFTER_NANOS, DEFAULT_COOLDOWN_NANOS);
  }

  /** Exactly {@code instances} workers: no scaling. */
  public static ScalingSettings fixed(int instances) {
    return between(instances, instances);
  }

  /** Whether the worker count may change. */
  public boolean autoscales() {
    return min != max;
  }
}
