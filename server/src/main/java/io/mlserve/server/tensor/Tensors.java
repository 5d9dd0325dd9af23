package io.mlserve.server.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Concatenation and splitting along the leading (batch) dimension, done on raw bytes so
 * that it works alike for every element type, and reading one element as a number. Stateless
 * and thread-safe.
 */
public final class Tensors {
  private Tensors() {}

  /**
   * Concatenates tensors along dimension 0. All parts must share name-independent type and
   * trailing dimensions; the result takes {@code name}.
   */
  public static Tensor concat(String name, List<Tensor> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("nothing to concatenate");
    }
    Tensor first = parts.get(0);
    if (parts.size() == 1) {
      return first.name().equals(name) ? first : first.renamed(name);
    }
    long rows = 0;
    int bytes = 0;
    for (Tensor t : parts) {
      if (t.dataType() != first.dataType() || !sameTrailingDims(first, t)) {
        throw new IllegalArgumentException(
            "cannot batch " + t + " with " + first + ": type or trailing dimensions differ");
      }
      rows += t.rows();
      bytes = Math.addExact(bytes, t.data().length);
    }
    byte[] out = new byte[bytes];
    int pos = 0;
    for (Tensor t : parts) {
      byte[] d = t.data();
      System.arraycopy(d, 0, out, pos, d.length);
      pos += d.length;
    }
    long[] shape = first.shape();
    shape[0] = rows;
    return new Tensor(name, first.dataType(), shape, out);
  }

  /**
   * Splits {@code batch} along dimension 0 into consecutive parts of {@code rows[i]} rows.
   *
   * @throws IllegalArgumentException when the rows do not add up to the batch's leading dim
   */
  public static Tensor[] split(Tensor batch, int[] rows) {
    if (batch.rank() == 0) {
      throw new IllegalArgumentException("output '" + batch.name() + "' has no batch dimension");
    }
    long total = 0;
    for (int r : rows) {
      total += r;
    }
    if (total != batch.dim(0)) {
      throw new IllegalArgumentException(
          "output '" + batch.name() + "' has " + batch.dim(0) + " rows, the batch had " + total);
    }
    Tensor[] out = new Tensor[rows.length];
    if (rows.length == 1) {
      out[0] = batch;
      return out;
    }
    long[] shape = batch.shape();
    if (!batch.dataType().isFixedSize()) {
      return splitVariable(batch, rows, shape, total);
    }
    int rowBytes = total == 0 ? 0 : (int) (batch.data().length / total);
    int pos = 0;
    for (int i = 0; i < rows.length; i++) {
      int len = rows[i] * rowBytes;
      byte[] part = Arrays.copyOfRange(batch.data(), pos, pos + len);
      pos += len;
      long[] s = shape.clone();
      s[0] = rows[i];
      out[i] = new Tensor(batch.name(), batch.dataType(), s, part);
    }
    return out;
  }

  private static Tensor[] splitVariable(Tensor batch, int[] rows, long[] shape, long total) {
    long count = Tensor.elementCount(shape);
    int perRow = total == 0 ? 0 : (int) (count / total);
    int[] offsets = BytesElements.offsets(batch.name(), batch.data(), count);
    Tensor[] out = new Tensor[rows.length];
    int element = 0;
    for (int i = 0; i < rows.length; i++) {
      int next = element + rows[i] * perRow;
      byte[] part = Arrays.copyOfRange(batch.data(), offsets[element], offsets[next]);
      long[] s = shape.clone();
      s[0] = rows[i];
      out[i] = new Tensor(batch.name(), batch.dataType(), s, part);
      element = next;
    }
    return out;
  }

  private static boolean sameTrailingDims(Tensor a, Tensor b) {
    if (a.rank() != b.rank()) {
      return false;
    }
    for (int i = 1; i < a.rank(); i++) {
      if (a.dim(i) != b.dim(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A tensor of zeros: every element 0 (false for BOOL), or for {@code BYTES} the empty string
   * (a zero length prefix each). What padding rows and warm-up inputs are made of.
   *
   * @throws IllegalArgumentException naming the tensor when the shape is too large
   */
  public static Tensor zeros(String name, DataType type, long[] shape) {
    if (type.isFixedSize()) {
      return new Tensor(name, type, shape, new byte[Tensor.byteSize(name, type, shape)]);
    }
    // count zero length prefixes of 4 bytes: sized as an INT32 tensor of the shape
    return new Tensor(name, type, shape, new byte[Tensor.byteSize(name, DataType.INT32, shape)]);
  }

  /**
   * Bytes one element of {@link #zeros} takes: the type's size, or for {@code BYTES} the 4 of
   * an empty string's length prefix (a lower bound of any BYTES element's size).
   */
  public static int zeroElementBytes(DataType type) {
    return type.isFixedSize() ? type.byteSize() : 4;
  }

  /**
   * Reads element {@code i} of a numeric tensor as a double (BOOL: 0 or 1).
   *
   * @throws IllegalArgumentException for a {@code BYTES} tensor
   */
  public static double elementAsDouble(Tensor t, int i) {
    ByteBuffer b = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
    if (!t.dataType().isFixedSize()) {
      throw new IllegalArgumentException("tensor '" + t.name() + "' holds BYTES, not numbers");
    }
    int off = i * t.dataType().byteSize();
    return switch (t.dataType()) {
      case BOOL, INT8 -> b.get(off);
      case UINT8 -> b.get(off) & 0xFF;
      case INT16 -> b.getShort(off);
      case UINT16 -> b.getShort(off) & 0xFFFF;
      case INT32 -> b.getInt(off);
      case UINT32 -> b.getInt(off) & 0xFFFFFFFFL;
      case INT64 -> b.getLong(off);
      case UINT64 -> {
        long l = b.getLong(off);
        yield l >= 0 ? l : (double) (l >>> 1) * 2.0 + (l & 1);
      }
      case FP16 -> Half.toFloat(b.getShort(off));
      case FP32 -> b.getFloat(off);
      case FP64 -> b.getDouble(off);
      case BYTES -> throw new IllegalArgumentException(
          "tensor '" + t.name() + "' holds BYTES, not numbers");
    };
  }
}
