package io.mlserve.server.batch;

import java.util.Objects;

/**
 * The bounds and pacing of a batcher's worker autoscaling: between {@code min} and {@code max}
 * workers, stepping when the load held over its {@link ScalingWindows} (see
 * {@link WorkerScaler}). Immutable.
 */
public record ScalingSettings(int min, int max, ScalingWindows windows) {
  public ScalingSettings {
    if (min < 1 || max < min) {
      throw new IllegalArgumentException(
          "instances must satisfy 1 <= min <= max, got min " + min + ", max " + max);
    }
    Objects.requireNonNull(windows, "windows");
  }

  /** Between {@code min} and {@code max} workers with the default windows. */
  public static ScalingSettings between(int min, int max) {
    return new ScalingSettings(min, max, ScalingWindows.DEFAULT);
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
