package io.mlserve.server.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * Finds NaN and infinite elements of floating-point tensors by their exponent bits: one load,
 * one mask and one compare per element, so checking a request costs a small fraction of
 * decoding it. Stateless; thread-safe.
 */
public final class FiniteValues {
  private FiniteValues() {}

  /**
   * @return the index (row-major) of the first NaN or infinite element of an FP16, FP32 or FP64
   *     tensor; -1 when there is none or the type is not a floating-point one
   */
  public static int firstNonFinite(Tensor t) {
    ByteBuffer b = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
    switch (t.dataType()) {
      case FP32 -> {
        IntBuffer v = b.asIntBuffer();
        for (int i = 0, n = v.limit(); i < n; i++) {
          if ((v.get(i) & 0x7F800000) == 0x7F800000) {
            return i;
          }
        }
      }
      case FP64 -> {
        LongBuffer v = b.asLongBuffer();
        for (int i = 0, n = v.limit(); i < n; i++) {
          if ((v.get(i) & 0x7FF0000000000000L) == 0x7FF0000000000000L) {
            return i;
          }
        }
      }
      case FP16 -> {
        ShortBuffer v = b.asShortBuffer();
        for (int i = 0, n = v.limit(); i < n; i++) {
          if (Half.isNonFinite(v.get(i))) {
            return i;
          }
        }
      }
      default -> {
        return -1;
      }
    }
    return -1;
  }

  /** Words for element {@code index} of {@code t}: its value, e.g. "NaN" or "-Infinity". */
  public static String valueAt(Tensor t, int index) {
    return String.valueOf(Tensors.elementAsDouble(t, index));
  }
}
