package io.mlserve.dataset;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects the rows of one {@link DatasetBatch}: each input's elements little-endian in a fresh
 * array (a batch is handed on without copying, so the next one gets new arrays and memory stays
 * one batch), and the labels. Rows go in one at a time ({@link #beginRow}, {@link #input},
 * {@link #endRow}) or, when every value is already in place, several at once
 * ({@link #bulkRows}). The label width is the schema's or, if that is 0, the first row's. Not
 * thread-safe.
 */
final class BatchBuilder {
  private final DatasetSchema schema;
  private final ElementType[] types;
  private final int[] rowBytes;
  private final int maxLabelWidth;
  private int labelWidth;
  private long nextRow;

  private byte[][] data;
  private ByteBuffer[] views;
  private double[] labels;
  private int capacity;
  private int rows;
  private long firstRow;

  BatchBuilder(DatasetSchema schema, int maxLabelWidth) {
    this.schema = schema;
    int n = schema.inputs().size();
    this.types = new ElementType[n];
    this.rowBytes = new int[n];
    for (int i = 0; i < n; i++) {
      types[i] = schema.type(i);
      rowBytes[i] = Math.multiplyExact(schema.inputs().get(i).elements(), types[i].size());
    }
    this.maxLabelWidth = maxLabelWidth;
    this.labelWidth = schema.labelWidth();
  }

  /** Starts a batch of at most {@code maxRows} rows, in new arrays. */
  void begin(int maxRows) {
    if (maxRows < 1) {
      throw new IllegalArgumentException("a batch needs room for at least one row");
    }
    capacity = maxRows;
    rows = 0;
    firstRow = nextRow;
    data = new byte[types.length][];
    views = new ByteBuffer[types.length];
    for (int i = 0; i < types.length; i++) {
      data[i] = new byte[Math.multiplyExact(maxRows, rowBytes[i])];
      views[i] = ByteBuffer.wrap(data[i]).order(ByteOrder.LITTLE_ENDIAN);
    }
    labels = labelWidth > 0 ? new double[Math.multiplyExact(maxRows, labelWidth)] : null;
  }

  int rows() {
    return rows;
  }

  boolean isFull() {
    return rows == capacity;
  }

  int capacity() {
    return capacity;
  }

  /** Label values per row; 0 until the first row set it. */
  int labelWidth() {
    return labelWidth;
  }

  ElementType type(int input) {
    return types[input];
  }

  int rowBytes(int input) {
    return rowBytes[input];
  }

  /** Positions every input's buffer at the next row. */
  void beginRow() {
    for (int i = 0; i < types.length; i++) {
      views[i].position(rows * rowBytes[i]);
    }
  }

  /** Input {@code i}'s buffer, positioned where the current row's next element goes. */
  ByteBuffer input(int i) {
    return views[i];
  }

  /**
   * Ends the current row with its {@code count} label values.
   *
   * @throws RowException if the label width differs from earlier rows or is out of bounds
   */
  void endRow(double[] labelValues, int count) {
    if (labelWidth == 0) {
      if (count < 1) {
        throw new RowException("label has no values");
      }
      if (count > maxLabelWidth) {
        throw new RowException("label has " + count + " values; at most " + maxLabelWidth
            + " are allowed");
      }
      labelWidth = count;
      labels = new double[Math.multiplyExact(capacity, labelWidth)];
    } else if (count != labelWidth) {
      throw new RowException("label has " + count + " value" + (count == 1 ? "" : "s")
          + ", earlier rows have " + labelWidth);
    }
    System.arraycopy(labelValues, 0, labels, rows * labelWidth, labelWidth);
    rows++;
  }

  /**
   * Claims the next {@code n} rows for a reader that writes their elements straight into
   * {@link #array} and their labels into {@link #labels} (the label width must be known).
   *
   * @return the index in this batch of the first claimed row
   */
  int bulkRows(int n) {
    if (labelWidth == 0 || n < 0 || rows + n > capacity) {
      throw new IllegalStateException("cannot claim " + n + " rows");
    }
    int first = rows;
    rows += n;
    return first;
  }

  byte[] array(int input) {
    return data[input];
  }

  double[] labels() {
    return labels;
  }

  /** The batch collected since {@link #begin}, or null if it has no rows. */
  DatasetBatch build() {
    if (rows == 0) {
      return null;
    }
    List<InputArray> arrays = new ArrayList<>(types.length);
    for (int i = 0; i < types.length; i++) {
      DatasetInput in = schema.inputs().get(i);
      long[] shape = new long[in.shape().size() + 1];
      shape[0] = rows;
      for (int d = 0; d < in.shape().size(); d++) {
        shape[d + 1] = in.shape().get(d);
      }
      byte[] bytes = rows == capacity ? data[i] : Arrays.copyOf(data[i], rows * rowBytes[i]);
      arrays.add(new InputArray(in.name(), types[i].name(), shape, bytes));
    }
    double[] l = rows == capacity ? labels : Arrays.copyOf(labels, rows * labelWidth);
    DatasetBatch b = new DatasetBatch(firstRow, rows, arrays, l, labelWidth);
    nextRow += rows;
    data = null;
    views = null;
    labels = null;
    rows = 0;
    return b;
  }
}
