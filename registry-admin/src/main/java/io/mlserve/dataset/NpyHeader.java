package io.mlserve.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of one {@code .npy} array (NumPy's format, NEP 1, versions 1.0 to 3.0): the magic
 * {@code \x93NUMPY}, a version, the header length (2 bytes little-endian in 1.0, 4 bytes after),
 * and a Python dict literal {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}.
 * The data follows it. Only plain little-endian numbers are accepted:
 * {@code <f4 <f8 <i1 <i2 <i4 <i8 |u1 |b1} (byte order {@code |} or {@code <} for one byte).
 * Immutable.
 *
 * @param dtype the element type, as NumPy names it without byte order ({@code f4}, {@code i8},
 *     {@code b1}, ...)
 * @param fortranOrder whether the data is column-major
 * @param shape the array's shape
 */
record NpyHeader(String dtype, boolean fortranOrder, long[] shape) {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int MAX_HEADER = 1 << 16;
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /**
   * Reads the header at the start of {@code in}, leaving the stream at the data.
   *
   * @param array the array's name, for messages
   * @throws BadDatasetException when it is not a .npy header or holds a type not accepted
   */
  static NpyHeader read(InputStream in, String array) throws IOException {
    byte[] start = in.readNBytes(8);
    for (int i = 0; i < MAGIC.length; i++) {
      if (start.length < 8 || start[i] != MAGIC[i]) {
        throw bad(array, "is not a .npy array (no NumPy magic string)");
      }
    }
    int major = start[6];
    long length;
    if (major == 1) {
      byte[] l = in.readNBytes(2);
      length = l.length < 2 ? -1 : (l[0] & 0xff) | (l[1] & 0xff) << 8;
    } else if (major == 2 || major == 3) {
      byte[] l = in.readNBytes(4);
      length = l.length < 4 ? -1 : (l[0] & 0xffL) | (l[1] & 0xffL) << 8 | (l[2] & 0xffL) << 16
          | (l[3] & 0xffL) << 24;
    } else {
      throw bad(array, "has .npy format version " + major + "." + start[7]
          + ", which is not known (1.0 to 3.0 are)");
    }
    if (length < 0 || length > MAX_HEADER) {
      throw bad(array, "has a missing or oversized .npy header");
    }
    byte[] h = in.readNBytes((int) length);
    if (h.length < length) {
      throw bad(array, "ends inside its .npy header (truncated file)");
    }
    return parse(new String(h, major == 3 ? StandardCharsets.UTF_8
        : StandardCharsets.ISO_8859_1), array);
  }

  static NpyHeader parse(String dict, String array) {
    Matcher d = DESCR.matcher(dict);
    Matcher f = FORTRAN.matcher(dict);
    Matcher s = SHAPE.matcher(dict);
    if (!d.find() || !f.find() || !s.find()) {
      throw bad(array, "has a .npy header without descr, fortran_order and shape (a structured"
          + " or object array?)");
    }
    String descr = d.group(1);
    String dtype = switch (descr) {
      case "<f4", "<f8", "<i2", "<i4", "<i8", "<i1", "|i1", "<u1", "|u1", "<b1", "|b1" ->
          descr.substring(1);
      default -> throw bad(array, "has dtype '" + descr + "'; datasets take little-endian"
          + " float32, float64, int8, int16, int32, int64, uint8 or bool"
          + (descr.startsWith(">") ? " (convert with .astype('<" + descr.substring(1) + "'))"
              : ""));
    };
    List<Long> dims = new ArrayList<>();
    for (String part : s.group(1).split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      try {
        dims.add(Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p));
      } catch (NumberFormatException e) {
        throw bad(array, "has an unreadable shape (" + s.group(1) + ")");
      }
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    return new NpyHeader(dtype, f.group(1).equals("True"), shape);
  }

  /** Bytes per element. */
  int itemSize() {
    return Integer.parseInt(dtype.substring(1));
  }

  boolean isFloat() {
    return dtype.charAt(0) == 'f';
  }

  /** The mlserve datatype with the same bytes, so a read needs no conversion. */
  ElementType sameType() {
    return switch (dtype) {
      case "f4" -> ElementType.FP32;
      case "f8" -> ElementType.FP64;
      case "i1" -> ElementType.INT8;
      case "i2" -> ElementType.INT16;
      case "i4" -> ElementType.INT32;
      case "i8" -> ElementType.INT64;
      case "u1" -> ElementType.UINT8;
      default -> ElementType.BOOL;
    };
  }

  private static BadDatasetException bad(String array, String what) {
    return new BadDatasetException("array '" + array + "' " + what);
  }
}
