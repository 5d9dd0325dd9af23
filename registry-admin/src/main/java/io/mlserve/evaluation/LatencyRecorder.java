package io.mlserve.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Records the duration of each predictor call of one version, per batch size, into
 * HdrHistograms (three significant digits, auto-resizing), and reports p50/p95/p99. Memory is
 * bounded: at most {@link #MAX_BATCH_SIZES} distinct batch sizes get their own histogram; calls
 * of further sizes count in the overall figures only. Not thread-safe.
 */
public final class LatencyRecorder {
  /** The most batch sizes reported separately. */
  public static final int MAX_BATCH_SIZES = 64;
  private static final double NANOS_PER_MS = 1e6;

  private final Histogram all = newHistogram();
  private final Map<Integer, Histogram> bySize = new TreeMap<>();
  private final Map<Integer, Long> rowsBySize = new TreeMap<>();
  private long rows;

  private static Histogram newHistogram() {
    return new Histogram(3);
  }

  /** Records one call of {@code batchRows} rows that took {@code nanos} (at least 1 counted). */
  public void record(int batchRows, long nanos) {
    long value = Math.max(1, nanos);
    all.recordValue(value);
    rows += batchRows;
    Histogram h = bySize.get(batchRows);
    if (h == null && bySize.size() < MAX_BATCH_SIZES) {
      h = newHistogram();
      bySize.put(batchRows, h);
    }
    if (h != null) {
      h.recordValue(value);
      rowsBySize.merge(batchRows, (long) batchRows, Long::sum);
    }
  }

  /** The latency recorded so far. */
  public Latency result() {
    List<LatencyStats> sizes = new ArrayList<>();
    bySize.forEach((size, h) -> sizes.add(stats(size, h, rowsBySize.get(size))));
    return new Latency(stats(null, all, rows), sizes);
  }

  private static LatencyStats stats(Integer size, Histogram h, long rows) {
    if (h.getTotalCount() == 0) {
      return new LatencyStats(size, 0, 0, 0, 0, 0, 0, 0);
    }
    return new LatencyStats(size, h.getTotalCount(), rows, h.getMean() / NANOS_PER_MS,
        h.getValueAtPercentile(50) / NANOS_PER_MS, h.getValueAtPercentile(95) / NANOS_PER_MS,
        h.getValueAtPercentile(99) / NANOS_PER_MS, h.getMaxValue() / NANOS_PER_MS);
  }
}
