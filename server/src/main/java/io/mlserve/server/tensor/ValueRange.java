package io.mlserve.server.tensor;

/**
 * The values each datatype holds, for refusing a number that does not fit instead of letting
 * a cast wrap it ({@code 300} as INT8 is 44) or overflow it ({@code 1e39} as FP32 is infinite,
 * and the model answers NaN). Stateless; thread-safe.
 */
public final class ValueRange {
  private ValueRange() {}

  /** Smallest value of an integer type, as a double (exact). */
  public static double low(DataType t) {
    return switch (t) {
      case INT8 -> Byte.MIN_VALUE;
      case INT16 -> Short.MIN_VALUE;
      case INT32 -> Integer.MIN_VALUE;
      case INT64 -> 0x1p63 * -1;
      case BOOL, UINT8, UINT16, UINT32, UINT64 -> 0;
      case FP16 -> -65504;
      case FP32 -> -Float.MAX_VALUE;
      case FP64 -> -Double.MAX_VALUE;
      case BYTES -> throw new IllegalArgumentException("BYTES has no numeric range");
    };
  }

  /**
   * One past the largest value of an integer type, as a double (exact: a power of two); for the
   * float types the largest finite value.
   */
  public static double high(DataType t) {
    return switch (t) {
      case INT8 -> 0x1p7;
      case INT16 -> 0x1p15;
      case INT32 -> 0x1p31;
      case INT64 -> 0x1p63;
      case BOOL -> 2;
      case UINT8 -> 0x1p8;
      case UINT16 -> 0x1p16;
      case UINT32 -> 0x1p32;
      case UINT64 -> 0x1p64;
      case FP16 -> 65504;
      case FP32 -> Float.MAX_VALUE;
      case FP64 -> Double.MAX_VALUE;
      case BYTES -> throw new IllegalArgumentException("BYTES has no numeric range");
    };
  }

  /** Whether an integral value fits integer type {@code t}: {@code low <= v < high}. */
  public static boolean fitsInteger(DataType t, double v) {
    return v >= low(t) && v < high(t);
  }

  /** Words for what {@code t} holds, e.g. "INT8 holds -128 to 127". */
  public static String describe(DataType t) {
    return switch (t) {
      case FP16 -> "FP16 holds finite values up to ±65504";
      case FP32 -> "FP32 holds finite values up to ±3.4028235e38";
      case FP64 -> "FP64 holds finite values up to ±1.7976931348623157e308";
      case BOOL -> "BOOL holds true and false";
      case INT64 -> "INT64 holds -9223372036854775808 to 9223372036854775807";
      case UINT64 -> "UINT64 holds 0 to 18446744073709551615";
      default -> t + " holds " + (long) low(t) + " to " + ((long) high(t) - 1);
    };
  }

  /**
   * The refusal of one value, e.g. "input 'x': value 1e39 at [0][3] is out of range (FP32
   * holds finite values up to ±3.4028235e38)".
   *
   * @param where names the tensor or field
   * @param position the element, as {@link #position} gives it
   */
  public static String outOfRange(String where, DataType t, String position, String value) {
    return where + ": value " + value + " at " + position + " is out of range (" + describe(t)
        + ")";
  }

  /** Element {@code index} (row-major) of {@code shape} as {@code [i][j]...}. */
  public static String position(long[] shape, long index) {
    if (shape.length == 0) {
      return "[" + index + "]";
    }
    long[] at = new long[shape.length];
    long rest = index;
    for (int d = shape.length - 1; d >= 0; d--) {
      long n = Math.max(1, shape[d]);
      at[d] = rest % n;
      rest /= n;
    }
    StringBuilder sb = new StringBuilder();
    for (long i : at) {
      sb.append('[').append(i).append(']');
    }
    return sb.toString();
  }
}
