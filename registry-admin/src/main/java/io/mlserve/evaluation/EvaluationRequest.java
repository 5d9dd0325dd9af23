package io.mlserve.evaluation;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What to evaluate and how: the model and candidate version, an optional baseline version (the
 * caller resolves "production" to a version), the dataset, who asks, the kind of metrics (null
 * chooses from the data, see {@link TaskKind#choose}), rows per predictor call, a bound on the
 * run's time, and custom metrics.
 *
 * @param model the model
 * @param version the candidate version
 * @param baselineVersion the baseline version, or null
 * @param dataset the dataset the source reads
 * @param actor who runs the evaluation
 * @param kind regression, classification, or null for the automatic choice
 * @param batchSize rows per predictor call, 1 to {@value #MAX_BATCH_SIZE}
 * @param timeLimit the most time the run may take (checked between batches)
 * @param customMetrics per-value expressions averaged over the dataset (see
 *     {@link CustomMetric}); at most {@value #MAX_CUSTOM_METRICS}
 */
public record EvaluationRequest(String model, String version, String baselineVersion,
    DatasetRef dataset, String actor, TaskKind kind, int batchSize, Duration timeLimit,
    List<CustomMetric> customMetrics) {
  public static final int DEFAULT_BATCH_SIZE = 1024;
  public static final int MAX_BATCH_SIZE = 65_536;
  public static final Duration DEFAULT_TIME_LIMIT = Duration.ofHours(1);
  public static final int MAX_CUSTOM_METRICS = 32;

  public EvaluationRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(timeLimit, "timeLimit");
    customMetrics = List.copyOf(customMetrics);
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new IllegalArgumentException("the batch size must be between 1 and "
          + MAX_BATCH_SIZE + ", got " + batchSize);
    }
    if (timeLimit.isNegative() || timeLimit.isZero()) {
      throw new IllegalArgumentException("the time limit must be positive");
    }
    if (version.equals(baselineVersion)) {
      throw new IllegalArgumentException("version " + version + " cannot be its own baseline");
    }
    if (customMetrics.size() > MAX_CUSTOM_METRICS) {
      throw new IllegalArgumentException("at most " + MAX_CUSTOM_METRICS + " custom metrics,"
          + " got " + customMetrics.size());
    }
    if (customMetrics.stream().map(CustomMetric::name).distinct().count()
        != customMetrics.size()) {
      throw new IllegalArgumentException("custom metric names must be unique");
    }
  }

  /** A request with the default batch size and time limit, no custom metrics. */
  public static EvaluationRequest of(String model, String version, String baselineVersion,
      DatasetRef dataset, String actor, TaskKind kind) {
    return new EvaluationRequest(model, version, baselineVersion, dataset, actor, kind,
        DEFAULT_BATCH_SIZE, DEFAULT_TIME_LIMIT, List.of());
  }
}
