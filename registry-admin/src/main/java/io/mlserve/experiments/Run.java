package io.mlserve.experiments;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An experiment run as read from {@code <store>/<model>/experiments/run_<id>/}. {@code status}
 * is RUNNING, FINISHED, FAILED or KILLED ({@code FINISHED} for runs written by other tools,
 * which have no run.json); {@code endTime} is 0 while running; {@code source} (e.g. a git
 * commit) and {@code name} may be null. Metrics are series: one point per logged step.
 * Immutable at the top level.
 */
public record Run(
    String model,
    String runId,
    String name,
    String status,
    long startTime,
    long endTime,
    String source,
    Map<String, Object> params,
    Map<String, List<MetricPoint>> metrics,
    Map<String, String> tags,
    List<String> artifacts) {

  public Run {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(status, "status");
    params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(params));
    metrics = metrics == null ? Map.of() : java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(metrics));
    tags = tags == null ? Map.of() : java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(tags));
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
  }

  /** The last logged value of each metric: what a manifest records as the run's metrics. */
  public Map<String, Object> latestMetrics() {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    metrics.forEach((k, series) -> {
      if (!series.isEmpty()) {
        out.put(k, series.get(series.size() - 1).value());
      }
    });
    return out;
  }
}
