package io.mlserve.server.tensor;

import java.util.Locale;

/**
 * The Open Inference Protocol's tensor element types. All but {@code BYTES} are fixed-size
 * little-endian elements. {@code BYTES} elements are variable-length byte strings, carried in a
 * {@link Tensor} in the protocol's raw form: each element a 4-byte little-endian unsigned length
 * followed by that many bytes (the layout of OIP {@code raw_input_contents} and of Triton's binary
 * tensor data extension). Code that needs a fixed element size must check {@link #isFixedSize()}
 * first: {@link #byteSize()} throws for {@code BYTES}.
 *
 * <p>This enum is immutable and thread-safe.
 */
public enum DataType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  FP32(4),
  FP64(8),
  /** Variable-length byte strings (OIP/Triton {@code BYTES}; ONNX {@code string}). */
  BYTES(-1);

  private final int byteSize;

  DataType(int byteSize) {
    this.byteSize = byteSize;
  }

  /**
   * Size in bytes of one element.
   *
   * @throws UnsupportedOperationException for {@code BYTES}, whose elements vary in size
   */
  public int byteSize() {
    if (byteSize < 0) {
      throw new UnsupportedOperationException("BYTES elements have no fixed size");
    }
    return byteSize;
  }

  /** Whether every element takes {@link #byteSize()} bytes (all types but {@code BYTES}). */
  public boolean isFixedSize() {
    return byteSize > 0;
  }

  /** The protocol's spelling of this type, e.g. {@code "FP32"}. */
  public String wireName() {
    return name();
  }

  /**
   * Parses a protocol datatype name (case-insensitive).
   *
   * @throws IllegalArgumentException naming the value and the supported types
   */
  public static DataType parse(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("datatype is missing");
    }
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unsupported datatype '" + name + "' (supported: " + supportedList() + ")", e);
    }
  }

  private static String supportedList() {
    StringBuilder sb = new StringBuilder();
    for (DataType t : values()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(t.name());
    }
    return sb.toString();
  }
}
