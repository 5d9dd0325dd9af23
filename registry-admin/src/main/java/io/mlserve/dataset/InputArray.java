package io.mlserve.dataset;

import java.util.Arrays;
import java.util.Objects;

/**
 * One input tensor of a {@link DatasetBatch}: a name, an OIP datatype name ({@code FP32},
 * {@code FP64}, {@code INT64}, {@code INT32}, ...), a shape whose first dimension is the batch's
 * row count, and the elements row-major and little-endian, the layout the server's tensors use,
 * so that a batch reaches the engine without a conversion. Immutable by contract: the
 * constructor does not copy {@code data}; callers must not modify it afterwards.
 *
 * @param name the model input this array feeds
 * @param datatype the OIP datatype name of its elements
 * @param shape {@code [rows, ...]}
 * @param data the elements, little-endian
 */
public record InputArray(String name, String datatype, long[] shape, byte[] data) {
  public InputArray {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    shape = Objects.requireNonNull(shape, "shape").clone();
    Objects.requireNonNull(data, "data");
    if (shape.length == 0) {
      throw new IllegalArgumentException("input '" + name + "': a batch array needs a row"
          + " dimension");
    }
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** The number of rows (the first dimension). */
  public int rows() {
    return Math.toIntExact(shape[0]);
  }

  /**
   * The elements as doubles, row-major (integers and booleans as their values).
   *
   * @throws IllegalArgumentException for a datatype datasets do not carry
   */
  public double[] toDoubles() {
    ElementType type = ElementType.of(datatype, name);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    double[] out = new double[data.length / type.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = type.getDouble(b, i * type.size());
    }
    return out;
  }

  @Override
  public String toString() {
    return "InputArray[" + name + ", " + datatype + ", " + Arrays.toString(shape) + "]";
  }
}
