package io.mlserve.evaluation;

/**
 * Latency of one version's predictor calls: over all calls ({@code batchSize} null) or over the
 * calls of one batch size. Times in milliseconds, percentiles from an HdrHistogram with three
 * significant digits. Immutable.
 *
 * @param batchSize the rows per call these calls had; null for all calls together
 * @param calls how many calls
 * @param rows the rows they predicted
 * @param meanMs mean call time
 * @param p50Ms median call time
 * @param p95Ms 95th percentile
 * @param p99Ms 99th percentile
 * @param maxMs longest call
 */
public record LatencyStats(Integer batchSize, long calls, long rows, double meanMs,
    double p50Ms, double p95Ms, double p99Ms, double maxMs) {

  /** Rows predicted per second of call time, 0 when no time was measured. */
  public double rowsPerSecond() {
    double seconds = meanMs * calls / 1000.0;
    return seconds > 0 ? rows / seconds : 0;
  }
}
