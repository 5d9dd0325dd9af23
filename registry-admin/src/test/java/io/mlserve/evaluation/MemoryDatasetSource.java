package io.mlserve.evaluation;

import io.mlserve.dataset.DatasetBatch;
import io.mlserve.dataset.DatasetSource;
import io.mlserve.dataset.InputArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A dataset held in memory, for tests: one FP64 input {@code x} of {@code inputWidth} values per
 * row and {@code labelWidth} label values per row.
 */
final class MemoryDatasetSource implements DatasetSource {
  private final double[] inputs;
  private final int inputWidth;
  private final double[] labels;
  private final int labelWidth;
  private final long rows;
  private long next;
  boolean closed;

  MemoryDatasetSource(double[] inputs, int inputWidth, double[] labels, int labelWidth) {
    this.inputs = inputs;
    this.inputWidth = inputWidth;
    this.labels = labels;
    this.labelWidth = labelWidth;
    this.rows = labels.length / labelWidth;
  }

  /** One input value and one label per row. */
  static MemoryDatasetSource of(double[] x, double[] y) {
    return new MemoryDatasetSource(x, 1, y, 1);
  }

  @Override
  public DatasetBatch next(int maxRows) {
    if (next >= rows) {
      return null;
    }
    int n = (int) Math.min(maxRows, rows - next);
    int from = (int) next;
    ByteBuffer buf = ByteBuffer.allocate(n * inputWidth * Double.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    for (int i = from * inputWidth; i < (from + n) * inputWidth; i++) {
      buf.putDouble(inputs[i]);
    }
    DatasetBatch batch = new DatasetBatch(next, n, List.of(new InputArray("x", "FP64",
        new long[] {n, inputWidth}, buf.array())),
        Arrays.copyOfRange(labels, from * labelWidth, (from + n) * labelWidth), labelWidth);
    next += n;
    return batch;
  }

  @Override
  public long totalRows() {
    return rows;
  }

  @Override
  public void close() {
    closed = true;
  }

  /** The FP64 input of a batch, as doubles. */
  static double[] inputs(DatasetBatch batch) {
    InputArray a = batch.inputs().get(0);
    double[] out = new double[a.data().length / Double.BYTES];
    ByteBuffer.wrap(a.data()).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
    return out;
  }
}
