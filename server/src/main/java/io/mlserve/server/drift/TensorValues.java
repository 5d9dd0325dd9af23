package io.mlserve.server.drift;

import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Half;
import io.mlserve.server.tensor.Tensor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads tensor elements as floats straight from the little-endian bytes, through byte-array
 * view handles: no buffer is wrapped, so the serving path can copy sampled values without
 * allocating (64-bit values are narrowed to float, which drift statistics tolerate; BOOL reads as
 * 0 or 1). Stateless; thread-safe.
 */
final class TensorValues {
  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle FLOAT =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle DOUBLE =
      MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

  private TensorValues() {}

  /**
   * Elements of {@code t} (its byte length over the element size; no shape copy). For
   * {@code BYTES}, which {@link RowLayout} never samples, the shape's count.
   */
  static long elements(Tensor t) {
    if (!t.dataType().isFixedSize()) {
      return Tensor.elementCount(t.shape());
    }
    return t.data().length / t.dataType().byteSize();
  }

  /**
   * Copies {@code count} elements of {@code t} from element {@code from} into
   * {@code dest[at ..]}.
   */
  static void copy(Tensor t, long from, int count, float[] dest, int at) {
    byte[] d = t.data();
    DataType type = t.dataType();
    int size = type.byteSize();
    int off = Math.toIntExact(from * size);
    if (type == DataType.FP32) {
      // The common case, on every sampled request: no per-element switch.
      for (int i = 0; i < count; i++, off += Float.BYTES) {
        dest[at + i] = (float) FLOAT.get(d, off);
      }
      return;
    }
    for (int i = 0; i < count; i++, off += size) {
      dest[at + i] = read(d, type, off);
    }
  }

  /** The element at byte offset {@code off} of {@code d}, as a float. */
  static float read(byte[] d, DataType type, int off) {
    return switch (type) {
      case BOOL, INT8 -> d[off];
      case UINT8 -> d[off] & 0xFF;
      case INT16 -> (short) SHORT.get(d, off);
      case UINT16 -> (short) SHORT.get(d, off) & 0xFFFF;
      case INT32 -> (int) INT.get(d, off);
      case UINT32 -> (int) INT.get(d, off) & 0xFFFFFFFFL;
      case INT64 -> (long) LONG.get(d, off);
      case UINT64 -> unsigned((long) LONG.get(d, off));
      case FP16 -> Half.toFloat((short) SHORT.get(d, off));
      case FP32 -> (float) FLOAT.get(d, off);
      case FP64 -> (float) (double) DOUBLE.get(d, off);
      case BYTES -> throw new IllegalArgumentException("BYTES elements are not numbers");
    };
  }

  private static float unsigned(long l) {
    return l >= 0 ? l : (float) ((double) (l >>> 1) * 2.0 + (l & 1));
  }
}
