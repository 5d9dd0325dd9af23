package io.mlserve.server.tensor;

import java.util.Locale;

/**
 * The Open Inference Protocol's tensor element types that mlserve carries as fixed-size
 * little-endian elements. {@code BYTES} (variable length strings) is not supported by the
 * numeric engines and is refused when a request names it.
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
  FP64(8);

  private final int byteSize;

  DataType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Size in bytes of one element. */
  public int byteSize() {
    return byteSize;
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
