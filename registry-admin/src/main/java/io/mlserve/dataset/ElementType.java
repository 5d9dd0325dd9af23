package io.mlserve.dataset;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The OIP datatypes a dataset input may have, with how a value from a file becomes one element
 * (little-endian), refusing what the type cannot hold exactly: a fraction for an integer type,
 * a value out of range, a non-finite value. Immutable.
 */
enum ElementType {
  FP32(4), FP64(8), INT8(1), INT16(2), INT32(4), INT64(8), UINT8(1), BOOL(1);

  /** The largest integer every double below it represents exactly (2^53). */
  private static final double EXACT_LONG = 9007199254740992.0;

  private final int size;

  ElementType(int size) {
    this.size = size;
  }

  /** Bytes per element. */
  int size() {
    return size;
  }

  boolean isFloat() {
    return this == FP32 || this == FP64;
  }

  /**
   * The type named {@code datatype} (an OIP name such as {@code FP32}).
   *
   * @throws IllegalArgumentException for a type datasets do not carry, naming it
   */
  static ElementType of(String datatype, String input) {
    try {
      return valueOf(datatype.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("input '" + input + "' has datatype " + datatype
          + ", which datasets do not carry (FP32, FP64, INT8, INT16, INT32, INT64, UINT8, BOOL)");
    }
  }

  /**
   * Writes {@code v} at the buffer's position.
   *
   * @throws RowException saying what is wrong with the value (the caller says where)
   */
  void putDouble(ByteBuffer out, double v) {
    if (!Double.isFinite(v)) {
      throw new RowException(text(v) + " is not a finite number");
    }
    switch (this) {
      case FP64 -> out.putDouble(v);
      case FP32 -> {
        if (Math.abs(v) > Float.MAX_VALUE) {
          throw new RowException(text(v) + " overflows FP32");
        }
        out.putFloat((float) v);
      }
      default -> {
        if (v != Math.rint(v)) {
          throw new RowException(text(v) + " is not an integer (" + name() + ")");
        }
        if (Math.abs(v) >= EXACT_LONG) {
          throw new RowException(text(v) + " is too large to be exact; write it as an"
              + " integer");
        }
        putLong(out, (long) v);
      }
    }
  }

  /** Reads the element at byte {@code index} of a little-endian buffer as a double. */
  double getDouble(ByteBuffer in, int index) {
    return switch (this) {
      case FP64 -> in.getDouble(index);
      case FP32 -> in.getFloat(index);
      case INT64 -> in.getLong(index);
      case INT32 -> in.getInt(index);
      case INT16 -> in.getShort(index);
      case INT8 -> in.get(index);
      case UINT8, BOOL -> in.get(index) & 0xFF;
    };
  }

  /** Writes the integer {@code v} at the buffer's position, refusing what the type cannot hold. */
  void putLong(ByteBuffer out, long v) {
    switch (this) {
      case FP64 -> out.putDouble(v);
      case FP32 -> out.putFloat(v);
      case INT64 -> out.putLong(v);
      case INT32 -> out.putInt((int) range(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case INT16 -> out.putShort((short) range(v, Short.MIN_VALUE, Short.MAX_VALUE));
      case INT8 -> out.put((byte) range(v, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case UINT8 -> out.put((byte) range(v, 0, 255));
      case BOOL -> out.put((byte) range(v, 0, 1));
      default -> throw new IllegalStateException(name());
    }
  }

  private long range(long v, long min, long max) {
    if (v < min || v > max) {
      throw new RowException(v + " is out of range for " + name() + " [" + min + ", " + max
          + "]");
    }
    return v;
  }

  /** A value as an error message shows it. */
  static String text(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "Infinity" : "-Infinity";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v)
        : String.valueOf(v);
  }
}
