package io.mlserve.server.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named, typed, dense tensor whose elements are stored row-major and little-endian in a
 * byte array: the one representation the batcher concatenates and splits, whatever the element
 * type, and that engines copy into native memory.
 *
 * <p>Instances are immutable by contract: the constructor does not copy {@code data}, and
 * callers must not modify the array after handing it over. Thread-safe once published.
 */
public final class Tensor {
  private final String name;
  private final DataType dataType;
  private final long[] shape;
  private final byte[] data;

  /**
   * @throws IllegalArgumentException when the byte length does not match shape and datatype
   */
  public Tensor(String name, DataType dataType, long[] shape, byte[] data) {
    this.name = Objects.requireNonNull(name, "name");
    this.dataType = Objects.requireNonNull(dataType, "dataType");
    this.shape = Objects.requireNonNull(shape, "shape").clone();
    this.data = Objects.requireNonNull(data, "data");
    if (!dataType.isFixedSize()) {
      long count;
      try {
        count = elementCount(this.shape);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage());
      }
      BytesElements.offsets(name, data, count);
      return;
    }
    long expected = byteSize(name, dataType, this.shape);
    if (expected != data.length) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': shape " + Arrays.toString(shape) + " of " + dataType
              + " needs " + expected + " bytes, got " + data.length);
    }
  }

  /** A tensor of FP32 values; convenient for tests and examples. */
  public static Tensor ofFloats(String name, long[] shape, float[] values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return new Tensor(name, DataType.FP32, shape, buf.array());
  }

  /**
   * Number of elements a shape holds.
   *
   * @throws IllegalArgumentException for a negative dimension, or when the count does not fit
   *     a long ("shape ... is too large")
   */
  public static long elementCount(long[] shape) {
    boolean empty = false;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      empty |= d == 0;
    }
    if (empty) {
      return 0;
    }
    long n = 1;
    for (long d : shape) {
      if (n > Long.MAX_VALUE / d) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
      }
      n *= d;
    }
    return n;
  }

  /**
   * Bytes a tensor of fixed-size {@code type} and {@code shape} takes; what one byte array can
   * hold at most. For {@code BYTES} the size depends on the elements: see {@link BytesElements}.
   *
   * @throws IllegalArgumentException naming the tensor when the shape is negative or too large
   */
  public static int byteSize(String name, DataType type, long[] shape) {
    long count;
    try {
      count = elementCount(shape);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage());
    }
    if (count > MAX_BYTES / type.byteSize()) {
      throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
          + " of " + type + " is too large (" + count + " elements; at most " + MAX_BYTES
          + " bytes)");
    }
    return (int) count * type.byteSize();
  }

  /** The most bytes a tensor's data may take (the largest Java array, with headroom). */
  public static final int MAX_BYTES = Integer.MAX_VALUE - 8;

  public String name() {
    return name;
  }

  public DataType dataType() {
    return dataType;
  }

  /** A copy of the shape. */
  public long[] shape() {
    return shape.clone();
  }

  /** The size of dimension {@code i}. */
  public long dim(int i) {
    return shape[i];
  }

  public int rank() {
    return shape.length;
  }

  /** The backing little-endian bytes (not copied: do not modify). */
  public byte[] data() {
    return data;
  }

  /** Leading dimension, the batch rows; 1 for a scalar. */
  public long rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  /** A read-only little-endian view of the data. */
  public ByteBuffer buffer() {
    return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A {@code BYTES} tensor of UTF-8 strings. */
  public static Tensor ofStrings(String name, long[] shape, java.util.List<String> values) {
    return new Tensor(name, DataType.BYTES, shape, BytesElements.encodeStrings(values));
  }

  /** The elements as floats; only for FP32 tensors. */
  public float[] toFloats() {
    if (dataType != DataType.FP32) {
      throw new IllegalStateException("tensor '" + name + "' is " + dataType + ", not FP32");
    }
    float[] out = new float[data.length / 4];
    buffer().asFloatBuffer().get(out);
    return out;
  }

  /** The same data under another name. */
  public Tensor renamed(String newName) {
    return new Tensor(newName, dataType, shape, data);
  }

  @Override
  public String toString() {
    return "Tensor{" + name + ", " + dataType + ", " + Arrays.toString(shape) + "}";
  }
}
