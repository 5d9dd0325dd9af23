package io.mlserve.server.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Half;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.tensor.ValueRange;
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
   * the given shape. The values are counted before anything is allocated, so a shape that
   * claims more than the request holds costs nothing.
   *
   * @throws IllegalArgumentException naming the tensor when the shape is too large, the count
   *     does not match, or a value is not a number of the datatype or outside its range (the
   *     message names the element)
   */
  public static Tensor fromFlat(String name, DataType type, long[] shape, JsonNode node) {
    if (type == DataType.BYTES) {
      return stringsFromFlat(name, shape, node);
    }
    int bytes = Tensor.byteSize(name, type, shape);
    long count = bytes / type.byteSize();
    long given = countLeaves(node, count + 1);
    if (given != count) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': shape " + java.util.Arrays.toString(shape) + " needs " + count
              + " values, got " + (given > count ? "more" : given));
    }
    ByteBuffer buf = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    write(new Target(name, type, shape, buf), node);
    return new Tensor(name, type, shape, buf.array());
  }

  /**
   * A {@code BYTES} tensor from JSON strings (each element its string's UTF-8 bytes). The count
   * is checked before anything is allocated, like numbers.
   */
  private static Tensor stringsFromFlat(String name, long[] shape, JsonNode node) {
    long count;
    try {
      count = Tensor.elementCount(shape);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage());
    }
    long given = countLeaves(node, count + 1);
    if (given != count) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': shape " + java.util.Arrays.toString(shape) + " needs " + count
              + " values, got " + (given > count ? "more" : given));
    }
    List<String> values = new ArrayList<>((int) count);
    collectStrings(name, node, values);
    return new Tensor(name, DataType.BYTES, shape, Utf8Text.encode(name, values, shape));
  }

  private static void collectStrings(String name, JsonNode node, List<String> out) {
    if (node.isArray()) {
      for (JsonNode child : node) {
        collectStrings(name, child, out);
      }
      return;
    }
    if (!node.isTextual()) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': expected strings of BYTES, got " + abbreviate(node));
    }
    out.add(node.textValue());
  }

  /** Scalars under {@code node}, counting no further than {@code limit}. */
  private static long countLeaves(JsonNode node, long limit) {
    if (!node.isArray()) {
      return 1;
    }
    long n = 0;
    for (JsonNode child : node) {
      n += countLeaves(child, limit - n);
      if (n >= limit) {
        return n;
      }
    }
    return n;
  }

  /** Where the values go, and what the messages name. */
  private record Target(String name, DataType type, long[] shape, ByteBuffer buf) {}

  private static void write(Target t, JsonNode node) {
    if (node.isArray()) {
      for (JsonNode child : node) {
        write(t, child);
      }
      return;
    }
    putScalar(t, node);
  }

  private static void putScalar(Target t, JsonNode v) {
    ByteBuffer buf = t.buf();
    DataType type = t.type();
    if (type == DataType.BOOL) {
      if (!v.isBoolean()) {
        throw new IllegalArgumentException(
            "tensor '" + t.name() + "': expected booleans, got " + abbreviate(v));
      }
      buf.put((byte) (v.booleanValue() ? 1 : 0));
      return;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException(
          "tensor '" + t.name() + "': expected numbers of " + type + ", got " + abbreviate(v));
    }
    switch (type) {
      case FP32 -> {
        float f = v.floatValue();
        if (!Float.isFinite(f)) {
          throw outOfRange(t, v);
        }
        buf.putFloat(f);
      }
      case FP64 -> {
        double d = v.doubleValue();
        if (!Double.isFinite(d)) {
          throw outOfRange(t, v);
        }
        buf.putDouble(d);
      }
      case FP16 -> {
        short h = Half.fromFloat(v.floatValue());
        if (Half.isNonFinite(h)) {
          throw outOfRange(t, v);
        }
        buf.putShort(h);
      }
      case INT8, UINT8 -> buf.put((byte) integral(t, v));
      case INT16, UINT16 -> buf.putShort((short) integral(t, v));
      case INT32, UINT32 -> buf.putInt((int) integral(t, v));
      case INT64, UINT64 -> buf.putLong(integral(t, v));
      default -> throw new IllegalArgumentException("unsupported datatype " + type);
    }
  }

  /** The integer's bits (UINT64 above 2^63 wraps to negative, as its bit pattern). */
  private static long integral(Target t, JsonNode v) {
    if (!v.isIntegralNumber()) {
      throw new IllegalArgumentException(
          "tensor '" + t.name() + "': expected integers, got " + abbreviate(v));
    }
    if (t.type() == DataType.UINT64 && v.isBigInteger()) {
      java.math.BigInteger b = v.bigIntegerValue();
      if (b.signum() < 0 || b.bitLength() > 64) {
        throw outOfRange(t, v);
      }
      return b.longValue();
    }
    if (!v.canConvertToLong()) {
      throw outOfRange(t, v);
    }
    long l = v.longValue();
    boolean fits = switch (t.type()) {
      case INT64 -> true;
      case UINT64 -> l >= 0;
      default -> ValueRange.fitsInteger(t.type(), l);
    };
    if (!fits) {
      throw outOfRange(t, v);
    }
    return l;
  }

  private static IllegalArgumentException outOfRange(Target t, JsonNode v) {
    int index = t.buf().position() / t.type().byteSize();
    return new IllegalArgumentException(ValueRange.outOfRange("tensor '" + t.name() + "'",
        t.type(), ValueRange.position(t.shape(), index), abbreviate(v)));
  }

  private static String abbreviate(JsonNode v) {
    String s = v.toString();
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
