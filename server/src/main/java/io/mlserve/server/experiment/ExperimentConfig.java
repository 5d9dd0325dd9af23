package io.mlserve.server.experiment;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds and thresholds of the experiment record: how many recent predictions, how many
 * bytes of their outputs and for how long the prediction log keeps them for feedback to join;
 * how many models and arms per model are tracked; and how many outcomes each arm needs before
 * the A/B report may call a difference significant.
 *
 * <p>Immutable; thread-safe.
 *
 * @param maxPredictions most predictions the log keeps (default 100,000; 0 keeps none, and
 *     feedback is then refused as unknown)
 * @param maxPredictionBytes most bytes the log's entries take, outputs plus an estimated
 *     overhead per entry (default 64 MiB)
 * @param predictionTtl how long a prediction can receive feedback (default 1 hour)
 * @param maxModels most models with A/B windows (default 64); others are not tracked
 * @param maxArms most arms (versions) per window (default 16, the most a split may name).
 *     An arm takes about 54 KiB (its latency histograms), and a model keeps two windows, so
 *     the defaults bound the windows at 64 × 2 × 16 × 54 KiB ≈ 110 MiB; a two-arm split
 *     takes about 0.2 MiB
 * @param minOutcomes outcomes each arm needs before a difference may be called significant
 *     (default 30)
 */
public record ExperimentConfig(int maxPredictions, long maxPredictionBytes,
    Duration predictionTtl, int maxModels, int maxArms, int minOutcomes) {

  public static final int DEFAULT_MAX_PREDICTIONS = 100_000;
  public static final long DEFAULT_MAX_PREDICTION_BYTES = 64L << 20;
  public static final Duration DEFAULT_PREDICTION_TTL = Duration.ofHours(1);
  public static final int DEFAULT_MAX_MODELS = 64;
  public static final int DEFAULT_MAX_ARMS = 16;
  public static final int DEFAULT_MIN_OUTCOMES = 30;

  /**
   * @throws IllegalArgumentException naming the setting that is out of range
   */
  public ExperimentConfig {
    Objects.requireNonNull(predictionTtl, "predictionTtl");
    if (maxPredictions < 0) {
      throw new IllegalArgumentException(
          "max predictions must be 0 (keep none) or more, got " + maxPredictions);
    }
    positive("max prediction bytes", maxPredictionBytes);
    if (predictionTtl.isNegative() || predictionTtl.isZero()) {
      throw new IllegalArgumentException("prediction TTL must be positive, got " + predictionTtl);
    }
    positive("max models", maxModels);
    positive("max arms", maxArms);
    if (minOutcomes < 2) {
      throw new IllegalArgumentException("min outcomes must be at least 2, got " + minOutcomes);
    }
  }

  /** The defaults named above. */
  public static ExperimentConfig defaults() {
    return new ExperimentConfig(DEFAULT_MAX_PREDICTIONS, DEFAULT_MAX_PREDICTION_BYTES,
        DEFAULT_PREDICTION_TTL, DEFAULT_MAX_MODELS, DEFAULT_MAX_ARMS, DEFAULT_MIN_OUTCOMES);
  }

  /** These settings with the prediction log bounded by {@code count}, {@code bytes}, {@code ttl}. */
  public ExperimentConfig withLog(int count, long bytes, Duration ttl) {
    return new ExperimentConfig(count, bytes, ttl, maxModels, maxArms, minOutcomes);
  }

  /** These settings with another minimum number of outcomes per arm. */
  public ExperimentConfig withMinOutcomes(int n) {
    return new ExperimentConfig(maxPredictions, maxPredictionBytes, predictionTtl, maxModels,
        maxArms, n);
  }

  private static void positive(String what, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException(what + " must be positive, got " + v);
    }
  }
}
