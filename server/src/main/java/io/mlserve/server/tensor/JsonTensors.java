package io.mlserve.server.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between JSON numbers (flat or nested arrays) and tensors. Used for example files and
 * the JSON transports. Stateless; thread-safe.
 */
public final class JsonTensors {
  private JsonTensors() {}

  /**
   * Reads a nested JSON array into a tensor, taking the shape from the nesting.
   *
   * @throws IllegalArgumentException naming the tensor when the array is ragged or holds a
   *     value that is not a number of the datatype
   */
  public static Tensor fromNested(String name, DataType type, JsonNode node) {
    List<Long> shape = new ArrayList<>();
    JsonNode n = node;
    while (n != null && n.isArray()) {
      shape.add((long) n.size());
      n = n.size() > 0 ? n.get(0) : null;
    }
    long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
    return fromFlat(name, type, dims, node);
  }

  /**
   * Reads the numbers of a (possibly nested) JSON array, in row-major order, into a tensor of
   * the given shape.
   */
  public static Tensor fromFlat(String name, DataType type, long[] shape, JsonNode node) {
    long count = Tensor.elementCount(shape);
    if (count > Integer.MAX_VALUE / 8) {
      throw new IllegalArgumentException("tensor '" + name + "' is too large");
    }
    ByteBuffer buf =
        ByteBuffer.allocate((int) count * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    int[] written = {0};
    write(name, type, node, buf, written, count);
    if (written[0] != count) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': shape " + java.util.Arrays.toString(shape) + " needs " + count
              + " values, got " + written[0]);
    }
    return new Tensor(name, type, shape, buf.array());
  }

  private static void write(
      String name, DataType type, JsonNode node, ByteBuffer buf, int[] written, long limit) {
    if (node.isArray()) {
      for (JsonNode child : node) {
        write(name, type, child, buf, written, limit);
      }
      return;
    }
    if (written[0] >= limit) {
      written[0]++;
      return;
    }
    putScalar(name, type, node, buf);
    written[0]++;
  }

  private static void putScalar(String name, DataType type, JsonNode v, ByteBuffer buf) {
    if (type == DataType.BOOL) {
      if (!v.isBoolean()) {
        throw new IllegalArgumentException("tensor '" + name + "': expected booleans, got " + v);
      }
      buf.put((byte) (v.booleanValue() ? 1 : 0));
      return;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': expected numbers of " + type + ", got " + abbreviate(v));
    }
    switch (type) {
      case FP32 -> buf.putFloat(v.floatValue());
      case FP64 -> buf.putDouble(v.doubleValue());
      case FP16 -> buf.putShort(Half.fromFloat(v.floatValue()));
      case INT8, UINT8 -> buf.put((byte) integral(name, v));
      case INT16, UINT16 -> buf.putShort((short) integral(name, v));
      case INT32, UINT32 -> buf.putInt((int) integral(name, v));
      case INT64, UINT64 -> buf.putLong(integral(name, v));
      default -> throw new IllegalArgumentException("unsupported datatype " + type);
    }
  }

  private static long integral(String name, JsonNode v) {
    if (!v.isIntegralNumber()) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': expected integers, got " + abbreviate(v));
    }
    return v.longValue();
  }

  private static String abbreviate(JsonNode v) {
    String s = v.toString();
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  /** Reads element {@code i} of a tensor as a double (BOOL: 0 or 1). */
  public static double elementAsDouble(Tensor t, int i) {
    ByteBuffer b = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
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
    };
  }
}
