package io.mlserve.server.batch;

/**
 * What a batch of a model costs, learned from the batches its batcher ran: a fixed part per
 * engine call and a part per row, {@code time(rows) = fixed + perRow * rows}. A model whose time
 * grows sub-linearly with its rows (a large fixed part: per-call overhead, weights read once for
 * the whole batch) gains from larger batches; one whose time is proportional to its rows does
 * not. {@link SmallBatchHold} reads it.
 *
 * <p>Batches are grouped by size into power-of-two ranges (1, 2, 3-4, 5-8, ..., the same sizes
 * {@code BucketedRunner} pads to), each keeping a moving average of its rows and time; the line
 * goes through the smallest and the largest range with {@link #MIN_SAMPLES} batches or more,
 * fitted again after each batch (reading it costs nothing). Until two ranges have them the fixed
 * part is unknown (0): nothing waits on a guess.
 *
 * <p>Not thread-safe: the batcher calls it holding its lock.
 */
final class BatchCostModel {
  /** Batches a size range needs before the fit uses it. */
  static final int MIN_SAMPLES = 4;
  private static final int RANGES = 32;

  private final double[] rows = new double[RANGES];
  private final double[] nanos = new double[RANGES];
  private final int[] samples = new int[RANGES];
  // the fit after the last batch
  private long fixed;
  private double perRow;

  /** Counts one batch of {@code batchRows} rows that took {@code tookNanos} on the engine. */
  void batchRan(int batchRows, long tookNanos) {
    if (batchRows < 1 || tookNanos < 0) {
      return;
    }
    int k = range(batchRows);
    if (samples[k] == 0) {
      rows[k] = batchRows;
      nanos[k] = tookNanos;
    } else { // a moving average over about the last 8 batches of the range
      rows[k] += (batchRows - rows[k]) / 8;
      nanos[k] += (tookNanos - nanos[k]) / 8;
    }
    if (samples[k] < Integer.MAX_VALUE) {
      samples[k]++;
    }
    fit();
  }

  /**
   * The learned fixed time per batch in nanoseconds (0 when unknown, or when the model's time is
   * proportional to its rows), never more than the time of the smallest batches.
   */
  long fixedNanos() {
    return fixed;
  }

  /** The learned time of a batch of {@code batchRows} rows (0 while the fixed part is unknown). */
  long batchNanos(int batchRows) {
    return fixed == 0 ? 0 : fixed + (long) (perRow * batchRows);
  }

  private void fit() {
    int lo = -1;
    int hi = -1;
    for (int k = 0; k < RANGES; k++) {
      if (samples[k] >= MIN_SAMPLES) {
        if (lo < 0) {
          lo = k;
        }
        hi = k;
      }
    }
    if (lo < 0 || hi == lo || rows[hi] <= rows[lo]) {
      fixed = 0;
      perRow = 0;
      return;
    }
    perRow = Math.max(0, (nanos[hi] - nanos[lo]) / (rows[hi] - rows[lo]));
    fixed = (long) Math.max(0, Math.min(nanos[lo] - perRow * rows[lo], nanos[lo]));
  }

  /** The power-of-two size range of a batch: 1 -> 0, 2 -> 1, 3-4 -> 2, 5-8 -> 3, ... */
  static int range(int batchRows) {
    return 32 - Integer.numberOfLeadingZeros(batchRows - 1);
  }
}
