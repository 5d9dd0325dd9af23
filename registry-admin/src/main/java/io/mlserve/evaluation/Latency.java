package io.mlserve.evaluation;

import java.util.List;
import java.util.Objects;

/**
 * The latency of one version's predictor calls in an evaluation: over all calls, and per batch
 * size used (ascending). Immutable.
 *
 * @param overall all calls together
 * @param byBatchSize one entry per batch size used, smallest first (at most
 *     {@link LatencyRecorder#MAX_BATCH_SIZES}; calls of further sizes count in {@code overall}
 *     only)
 */
public record Latency(LatencyStats overall, List<LatencyStats> byBatchSize) {
  public Latency {
    Objects.requireNonNull(overall, "overall");
    byBatchSize = List.copyOf(byBatchSize);
  }
}
