package io.mlserve.evaluation;

import java.util.Objects;

/**
 * What one version scored in an evaluation: its metrics and the latency of its predictor calls.
 *
 * @param version the version evaluated
 * @param metrics its metrics over the dataset (custom metrics included)
 * @param latency its call latency, overall and per batch size
 */
public record VersionResult(String version, MetricSet metrics, Latency latency) {
  public VersionResult {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(latency, "latency");
  }
}
