package io.mlserve.server.tensor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The raw form of a {@code BYTES} tensor: each element a 4-byte little-endian unsigned length
 * followed by that many bytes, elements back to back in row-major order. This is the layout of
 * OIP's {@code raw_input_contents}/{@code raw_output_contents} for BYTES and of Triton's binary
 * tensor data extension, so a {@link Tensor} of BYTES can be sent and received without copying.
 *
 * <p>Stateless and thread-safe.
 */
public final class BytesElements {
  private BytesElements() {}

  /**
   * Checks that {@code data} holds exactly {@code count} length-prefixed elements and returns
   * the start offset of each element's length prefix, plus {@code data.length} at the end
   * ({@code count + 1} entries).
   *
   * @throws IllegalArgumentException naming the tensor and the first element that does not fit
   */
  public static int[] offsets(String name, byte[] data, long count) {
    if (count > data.length / 4L) {
      throw new IllegalArgumentException("tensor '" + name + "': " + count
          + " BYTES elements need at least " + count * 4 + " bytes, got " + data.length);
    }
    int[] offsets = new int[(int) count + 1];
    int pos = 0;
    for (int i = 0; i < count; i++) {
      if (data.length - pos < 4) {
        throw new IllegalArgumentException("tensor '" + name + "': BYTES element " + i
            + " has no complete 4-byte length prefix");
      }
      long len = lengthAt(data, pos);
      if (len > data.length - pos - 4L) {
        throw new IllegalArgumentException("tensor '" + name + "': BYTES element " + i
            + " claims " + len + " bytes, only " + (data.length - pos - 4) + " remain");
      }
      offsets[i] = pos;
      pos += 4 + (int) len;
    }
    if (pos != data.length) {
      throw new IllegalArgumentException("tensor '" + name + "': " + (data.length - pos)
          + " bytes follow the last of " + count + " BYTES elements");
    }
    offsets[(int) count] = pos;
    return offsets;
  }

  /** Encodes elements into the raw form. */
  public static byte[] encode(List<byte[]> elements) {
    long total = 0;
    for (byte[] e : elements) {
      total += 4L + e.length;
    }
    if (total > Tensor.MAX_BYTES) {
      throw new IllegalArgumentException(
          "BYTES tensor of " + total + " bytes is too large (at most " + Tensor.MAX_BYTES + ")");
    }
    byte[] out = new byte[(int) total];
    int pos = 0;
    for (byte[] e : elements) {
      int n = e.length;
      out[pos] = (byte) n;
      out[pos + 1] = (byte) (n >>> 8);
      out[pos + 2] = (byte) (n >>> 16);
      out[pos + 3] = (byte) (n >>> 24);
      System.arraycopy(e, 0, out, pos + 4, n);
      pos += 4 + n;
    }
    return out;
  }

  /** Encodes strings as UTF-8 elements. */
  public static byte[] encodeStrings(List<String> elements) {
    List<byte[]> bytes = new ArrayList<>(elements.size());
    for (String s : elements) {
      bytes.add(s.getBytes(StandardCharsets.UTF_8));
    }
    return encode(bytes);
  }

  /** Decodes a tensor's raw BYTES data into its elements (copies). */
  public static List<byte[]> decode(Tensor t) {
    int[] offsets = offsets(t.name(), t.data(), Tensor.elementCount(t.shape()));
    List<byte[]> out = new ArrayList<>(offsets.length - 1);
    for (int i = 0; i + 1 < offsets.length; i++) {
      out.add(Arrays.copyOfRange(t.data(), offsets[i] + 4, offsets[i + 1]));
    }
    return out;
  }

  private static long lengthAt(byte[] d, int pos) {
    return (d[pos] & 0xFFL) | (d[pos + 1] & 0xFFL) << 8 | (d[pos + 2] & 0xFFL) << 16
        | (d[pos + 3] & 0xFFL) << 24;
  }
}
