package io.mlserve.server.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Half;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.tensor.ValueRange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A JSON array of numbers, booleans or strings (nested to any depth, rectangular) read with the
 * streaming parser, before the target datatype is known: the request's fields may come in any
 * order, so the model, and with it the datatype, may be named after the data. Numbers are kept
 * as doubles, which is exact for every integer up to 2^53; strings (the elements of a
 * {@code BYTES} input, see {@link Utf8Text}) as strings.
 *
 * <p>Not thread-safe; one per request.
 */
public final class NestedArray {
  private final String field;
  /** Length of the arrays at each depth; -1 until the first one at that depth ends. */
  private long[] shape = {-1, -1, -1, -1};
  private int rank = -1;
  private double[] values;
  private int count;
  private boolean sawBoolean;
  private boolean sawNumber;
  private boolean sawFraction;
  /** The strings, at their element index; null until the first string. */
  private String[] strings;
  /** The first number too large for a double (1e400): its index, or -1, and its text. */
  private int nonFiniteAt = -1;
  private String nonFiniteText;

  private NestedArray(String field, int sizeHint) {
    this.field = field;
    this.values = new double[Math.max(16, sizeHint)];
  }

  /**
   * Reads the array at the parser's current token (which must be START_ARRAY).
   *
   * @param maxElements refuse more values than this
   * @throws InferenceException INVALID_ARGUMENT (HTTP 400) naming the field when the value is
   *     not a rectangular array of numbers or booleans
   */
  public static NestedArray read(JsonParser p, String field, long maxElements) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw InferenceException.invalid(
          "field '" + field + "' must be an array of numbers, got "
              + Json.describe(p.currentToken()));
    }
    NestedArray a = new NestedArray(field, 64);
    a.readLevel(p, 0, maxElements);
    if (a.rank < 0) {
      a.rank = 1; // [] only
    }
    if (a.nonFiniteAt >= 0) {
      // found while parsing, reported once the nesting (and so the position) is known
      throw InferenceException.invalid("field '" + field + "': value " + a.nonFiniteText
          + " at " + a.position(a.nonFiniteAt) + " is out of range (it overflows every "
          + "floating-point type; numbers must be finite)");
    }
    return a;
  }

  private void readLevel(JsonParser p, int depth, long maxElements) throws IOException {
    long n = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw InferenceException.invalid("field '" + field + "': unexpected end of input");
      }
      if (t == JsonToken.START_ARRAY) {
        leafDepth(depth + 2, false);
        readLevel(p, depth + 1, maxElements);
      } else {
        leafDepth(depth + 1, true);
        if (count == maxElements) {
          throw InferenceException.invalid(
              "field '" + field + "' holds more than " + maxElements + " values");
        }
        add(p, t);
      }
      n++;
    }
    if (depth >= shape.length) {
      int old = shape.length;
      shape = Arrays.copyOf(shape, Math.max(old * 2, depth + 1));
      Arrays.fill(shape, old, shape.length, -1);
    }
    if (shape[depth] >= 0) {
      if (shape[depth] != n) {
        throw InferenceException.invalid(
            "field '" + field + "' is ragged: arrays at depth " + (depth + 1) + " have "
                + shape[depth] + " and " + n + " elements");
      }
    } else {
      shape[depth] = n;
    }
  }

  /** Records that values (scalar) or arrays (not scalar) sit at {@code r} nesting levels. */
  private void leafDepth(int r, boolean scalar) {
    if (scalar) {
      if (rank < 0) {
        rank = r;
      } else if (rank != r) {
        throw mixed();
      }
    } else if (rank >= 0 && r > rank) {
      throw mixed();
    }
  }

  private InferenceException mixed() {
    return InferenceException.invalid(
        "field '" + field + "' mixes numbers and arrays at the same depth");
  }

  private void add(JsonParser p, JsonToken t) throws IOException {
    double v;
    switch (t) {
      case VALUE_NUMBER_INT -> {
        v = number(p);
        sawNumber = true;
      }
      case VALUE_NUMBER_FLOAT -> {
        v = number(p);
        sawNumber = true;
        sawFraction = true;
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        v = t == JsonToken.VALUE_TRUE ? 1 : 0;
        sawBoolean = true;
      }
      case VALUE_STRING -> {
        v = 0;
        if (strings == null) {
          strings = new String[values.length];
        } else if (strings.length <= count) {
          strings = Arrays.copyOf(strings, Math.max(values.length, count * 2));
        }
        strings[count] = p.getText();
      }
      default -> throw InferenceException.invalid(
          "field '" + field + "' must hold only numbers or strings, got " + Json.describe(t));
    }
    if (count == values.length) {
      values = Arrays.copyOf(values, values.length * 2);
    }
    values[count++] = v;
  }

  /**
   * The current number token's value: the fast path where it applies (its values are always
   * finite, below 1e38), else Jackson's parser, whose overflow to infinity is recorded here.
   */
  private double number(JsonParser p) throws IOException {
    double v = DecimalText.parse(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    if (!Double.isNaN(v)) {
      return v;
    }
    v = p.getDoubleValue();
    if (!Double.isFinite(v)) {
      if (nonFiniteAt < 0) {
        nonFiniteAt = count;
        nonFiniteText = abbreviate(p.getText());
      }
      return 0;
    }
    return v;
  }

  private InferenceException outOfRange(String name, DataType type, int i) {
    double v = values[i];
    String text = v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
        : Double.toString(v);
    return InferenceException.invalid(ValueRange.outOfRange(
        "field '" + field + "': input '" + name + "'", type, position(i), text));
  }

  /** Element {@code i} as an index into the request's own nesting, e.g. {@code [1][3]}. */
  private String position(int i) {
    return ValueRange.position(shape(), i);
  }

  private static String abbreviate(String s) {
    return s.length() > 20 ? s.substring(0, 20) + "..." : s;
  }

  private String firstString() {
    for (int i = 0; i < count; i++) {
      if (strings[i] != null) {
        return strings[i];
      }
    }
    return "";
  }

  private Tensor stringTensor(String name, long[] shape) {
    if (sawNumber || sawBoolean) {
      throw InferenceException.invalid("field '" + field + "': input '" + name + "' is BYTES "
          + "(strings), got " + (sawNumber ? "numbers" : "booleans"));
    }
    java.util.List<String> values = count == 0 ? java.util.List.of()
        : Arrays.asList(Arrays.copyOf(strings, count));
    try {
      return new Tensor(name, DataType.BYTES, shape, Utf8Text.encode(name, values, shape));
    } catch (IllegalArgumentException e) {
      throw InferenceException.invalid("field '" + field + "': " + e.getMessage());
    }
  }

  /** The shape given by the nesting. */
  public long[] shape() {
    return Arrays.copyOf(shape, rank);
  }

  public int rank() {
    return rank;
  }

  /** Number of values. */
  int size() {
    return count;
  }

  /**
   * The values as a tensor of {@code type} and {@code shape} (which must hold {@link #size()}
   * elements).
   *
   * @throws InferenceException INVALID_ARGUMENT (HTTP 400) when the values do not fit the type
   */
  public Tensor toTensor(String name, DataType type, long[] shape) {
    if (type == DataType.BYTES) {
      return stringTensor(name, shape);
    }
    if (strings != null) {
      String first = firstString();
      throw InferenceException.invalid("field '" + field + "': input '" + name + "' is " + type
          + ", got a string (\"" + abbreviate(first) + "\")");
    }
    if (type == DataType.BOOL ? sawNumber : sawBoolean) {
      throw InferenceException.invalid(
          "field '" + field + "': input '" + name + "' is " + type + ", got "
              + (type == DataType.BOOL ? "numbers" : "booleans"));
    }
    boolean integral = type != DataType.FP16 && type != DataType.FP32 && type != DataType.FP64;
    if (integral && sawFraction) {
      throw InferenceException.invalid(
          "field '" + field + "': input '" + name + "' is " + type + ", got a fractional number");
    }
    ByteBuffer b = ByteBuffer.allocate(count * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    // One pass: convert, and refuse what the type cannot hold (the cast would overflow to
    // infinity or wrap). The fast path's numbers are below 1e38, so only FP16 and the integer
    // types see out-of-range values there.
    switch (type) {
      case FP32 -> {
        for (int i = 0; i < count; i++) {
          float f = (float) values[i];
          if (Float.isInfinite(f)) {
            throw outOfRange(name, type, i);
          }
          b.putFloat(f);
        }
      }
      case FP64 -> {
        for (int i = 0; i < count; i++) {
          b.putDouble(values[i]);
        }
      }
      case FP16 -> {
        for (int i = 0; i < count; i++) {
          short h = Half.fromFloat((float) values[i]);
          if (Half.isNonFinite(h)) {
            throw outOfRange(name, type, i);
          }
          b.putShort(h);
        }
      }
      default -> {
        double lo = ValueRange.low(type);
        double hi = ValueRange.high(type);
        for (int i = 0; i < count; i++) {
          double v = values[i];
          if (!(v >= lo && v < hi)) {
            throw outOfRange(name, type, i);
          }
          switch (type) {
            case BOOL, INT8, UINT8 -> b.put((byte) (long) v);
            case INT16, UINT16 -> b.putShort((short) (long) v);
            case INT32, UINT32 -> b.putInt((int) (long) v);
            case INT64 -> b.putLong((long) v);
            // above 2^63: the bit pattern of the unsigned value
            case UINT64 -> b.putLong(v < 0x1p63 ? (long) v : (long) (v - 0x1p63) ^ Long.MIN_VALUE);
            default -> throw new IllegalArgumentException("unsupported datatype " + type);
          }
        }
      }
    }
    return new Tensor(name, type, shape, b.array());
  }
}
