package io.mlserve.dataset;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a NumPy {@code .npz} dataset ({@code np.savez} or {@code np.savez_compressed}): arrays
 * {@code input} and {@code label} for a model with one input, or one array per model input,
 * named as the input, and {@code label}. Each array's first dimension is the rows, the same in
 * all; the rest is one row, flat or as the input's row shape. Arrays must be C-ordered. Streams:
 * one decompressing stream per array, read in step, one batch in memory. Rows in messages are
 * 0-based, as NumPy indexes them. Not thread-safe.
 */
final class NpzSource implements DatasetSource {
  private static final String LABEL = "label";
  private static final String INPUT = "input";

  private final ZipFile zip;
  private final DatasetSchema schema;
  private final BatchBuilder batch;
  private final Array[] inputs;
  private final Array label;
  private final long rows;
  private final long totalRows;
  private long read;
  private byte[] scratch = new byte[0];

  /** One array being read. */
  private record Array(String name, NpyHeader header, InputStream in, int rowValues) {}

  NpzSource(Path file, DatasetSchema schema, DatasetLimits limits, long totalRows)
      throws IOException {
    this.schema = schema;
    this.totalRows = totalRows;
    try {
      this.zip = new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new BadDatasetException("not a .npz file (not a zip archive)");
    }
    try {
      Map<String, ZipEntry> arrays = new LinkedHashMap<>();
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry z = e.nextElement();
        if (!z.isDirectory()) {
          String n = z.getName();
          arrays.put(n.endsWith(".npy") ? n.substring(0, n.length() - 4) : n, z);
        }
      }
      if (arrays.size() > limits.maxInputs() + 1) {
        throw new BadDatasetException("the archive holds " + arrays.size() + " arrays; at most "
            + (limits.maxInputs() + 1) + " are allowed");
      }
      List<String> names = names(arrays);
      this.inputs = new Array[names.size()];
      Array labelArray = open(arrays, LABEL);
      long n = labelArray.header.shape()[0];
      for (int i = 0; i < names.size(); i++) {
        inputs[i] = open(arrays, names.get(i));
        DatasetInput in = schema.inputs().get(i);
        checkRowShape(inputs[i], in);
        if (inputs[i].header.shape()[0] != n) {
          throw new BadDatasetException("array '" + inputs[i].name + "' has "
              + inputs[i].header.shape()[0] + " rows and array 'label' " + n
              + "; every array needs the same number of rows (the first dimension)");
        }
      }
      if (n == 0) {
        throw new BadDatasetException("the arrays have no rows");
      }
      int width = labelArray.rowValues;
      if (width < 1 || width > limits.maxLabelWidth()) {
        throw new BadDatasetException("array 'label' has " + width + " values a row; labels"
            + " need 1 to " + limits.maxLabelWidth());
      }
      if (schema.labelWidth() != 0 && schema.labelWidth() != width) {
        throw new BadDatasetException("array 'label' has " + width + " values a row; the"
            + " dataset was recorded with " + schema.labelWidth());
      }
      this.label = labelArray;
      this.rows = n;
      this.batch = new BatchBuilder(schema.withLabelWidth(width), limits.maxLabelWidth());
    } catch (IOException | RuntimeException e) {
      zip.close();
      throw e;
    }
  }

  /** The arrays that hold the inputs, in signature order. */
  private List<String> names(Map<String, ZipEntry> arrays) {
    if (!arrays.containsKey(LABEL)) {
      throw new BadDatasetException("no array 'label' (the archive holds " + list(arrays)
          + ")");
    }
    List<String> names = new ArrayList<>();
    boolean generic = schema.inputs().size() == 1 && arrays.containsKey(INPUT)
        && !arrays.containsKey(schema.inputs().get(0).name());
    for (DatasetInput in : schema.inputs()) {
      String n = generic ? INPUT : in.name();
      if (!arrays.containsKey(n)) {
        throw new BadDatasetException(schema.inputs().size() == 1
            ? "no array 'input' (or '" + in.name() + "', the model's input) in the archive ("
                + list(arrays) + ")"
            : "no array '" + n + "' for the model's input '" + n + "' (the archive holds "
                + list(arrays) + "; the model takes " + schema.namesText() + ")");
      }
      names.add(n);
    }
    for (String a : arrays.keySet()) {
      if (!a.equals(LABEL) && !names.contains(a)) {
        throw new BadDatasetException("array '" + a + "' is neither 'label' nor an input of the"
            + " model (inputs: " + schema.namesText() + ")");
      }
    }
    return names;
  }

  private static String list(Map<String, ZipEntry> arrays) {
    return arrays.isEmpty() ? "no arrays" : "'" + String.join("', '", arrays.keySet()) + "'";
  }

  private Array open(Map<String, ZipEntry> arrays, String name) throws IOException {
    InputStream in = new BufferedInputStream(zip.getInputStream(arrays.get(name)), 1 << 16);
    NpyHeader h = NpyHeader.read(in, name);
    if (h.shape().length == 0) {
      throw new BadDatasetException("array '" + name + "' is a single value; its first"
          + " dimension must be the rows");
    }
    if (h.fortranOrder() && h.shape().length > 1) {
      throw new BadDatasetException("array '" + name + "' is in Fortran (column-major) order;"
          + " save a C-ordered copy (np.ascontiguousarray)");
    }
    long values = 1;
    for (int d = 1; d < h.shape().length; d++) {
      values *= h.shape()[d];
      if (values > Integer.MAX_VALUE) {
        throw new BadDatasetException("array '" + name + "' has too many values a row");
      }
    }
    return new Array(name, h, in, (int) values);
  }

  private static void checkRowShape(Array a, DatasetInput in) {
    long[] s = a.header.shape();
    long[] row = Arrays.copyOfRange(s, 1, s.length);
    long[] want = in.shape().stream().mapToLong(Long::longValue).toArray();
    boolean flat = row.length == 1 && row[0] == in.elements();
    boolean scalar = want.length == 0 && row.length == 0;
    if (!flat && !scalar && !Arrays.equals(row, want)) {
      throw new BadDatasetException("array '" + a.name + "' has shape " + Arrays.toString(s)
          + ": rows of " + Arrays.toString(row) + ", but input '" + in.name() + "' has shape "
          + in.shapeText() + " (" + in.elements() + " values a row)");
    }
  }

  @Override
  public DatasetBatch next(int maxRows) throws IOException {
    if (read == rows) {
      return null;
    }
    int k = (int) Math.min(maxRows, rows - read);
    batch.begin(k);
    int first = batch.bulkRows(k);
    for (int i = 0; i < inputs.length; i++) {
      readInput(i, first, k);
    }
    readLabels(k);
    read += k;
    return batch.build();
  }

  private void readInput(int i, int first, int k) throws IOException {
    Array a = inputs[i];
    ElementType type = batch.type(i);
    int rowBytes = batch.rowBytes(i);
    byte[] out = batch.array(i);
    if (a.header.sameType() == type) { // same bytes: read in place, then check
      readFully(a, out, first * rowBytes, k * rowBytes);
      if (type.isFloat()) {
        checkFinite(a, out, first * rowBytes, k * a.rowValues, type.size());
      }
      return;
    }
    int size = a.header.itemSize();
    byte[] src = scratch(k * a.rowValues * size);
    readFully(a, src, 0, k * a.rowValues * size);
    ByteBuffer in = ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer dst = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    dst.position(first * rowBytes);
    int n = k * a.rowValues;
    for (int v = 0; v < n; v++) {
      try {
        if (a.header.isFloat()) {
          type.putDouble(dst, size == 4 ? in.getFloat() : in.getDouble());
        } else {
          type.putLong(dst, integer(in, a.header));
        }
      } catch (RowException e) {
        throw at(a, v / a.rowValues, v % a.rowValues, e.getMessage());
      }
    }
  }

  private void readLabels(int k) throws IOException {
    Array a = label;
    int size = a.header.itemSize();
    int n = k * a.rowValues;
    byte[] src = scratch(n * size);
    readFully(a, src, 0, n * size);
    ByteBuffer in = ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN);
    double[] out = batch.labels();
    for (int v = 0; v < n; v++) {
      double x = a.header.isFloat() ? (size == 4 ? in.getFloat() : in.getDouble())
          : integer(in, a.header);
      if (!Double.isFinite(x)) {
        throw at(a, v / a.rowValues, v % a.rowValues, "label is " + ElementType.text(x)
            + "; labels must be finite");
      }
      out[v] = x;
    }
  }

  private static long integer(ByteBuffer in, NpyHeader h) {
    return switch (h.dtype()) {
      case "i1" -> in.get();
      case "u1", "b1" -> in.get() & 0xff;
      case "i2" -> in.getShort();
      case "i4" -> in.getInt();
      default -> in.getLong();
    };
  }

  private void checkFinite(Array a, byte[] data, int offset, int values, int size) {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    for (int v = 0; v < values; v++) {
      double x = size == 4 ? b.getFloat(offset + v * 4) : b.getDouble(offset + v * 8);
      if (!Double.isFinite(x)) {
        throw at(a, v / a.rowValues, v % a.rowValues, ElementType.text(x)
            + " is not a finite number");
      }
    }
  }

  private BadDatasetException at(Array a, int rowInBatch, int element, String what) {
    return new BadDatasetException("array '" + a.name + "' row " + (read + rowInBatch)
        + (a.rowValues > 1 ? ", value " + element : "") + ": " + what);
  }

  private static void readFully(Array a, byte[] buf, int off, int len) throws IOException {
    int n;
    try {
      n = a.in.readNBytes(buf, off, len);
    } catch (ZipException e) {
      throw new BadDatasetException("array '" + a.name + "' cannot be decompressed (corrupt"
          + " archive)");
    }
    if (n < len) {
      throw new BadDatasetException("array '" + a.name + "' ends before the rows its shape"
          + " declares (truncated file)");
    }
  }

  private byte[] scratch(int n) {
    if (scratch.length < n) {
      scratch = new byte[n];
    }
    return scratch;
  }

  @Override
  public long totalRows() {
    return totalRows >= 0 ? totalRows : rows;
  }

  @Override
  public void close() throws IOException {
    zip.close();
  }
}
