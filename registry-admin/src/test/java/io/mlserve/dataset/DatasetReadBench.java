package io.mlserve.dataset;

import java.io.BufferedWriter;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes generated datasets (one FP32 input of {@code width} values a row, {@code width} label
 * values) and reads them back through the readers, printing rows/s; with a small {@code -Xmx}
 * it also shows that a dataset larger than the heap is read in constant memory. Not a test
 * (timing is not asserted); {@link DatasetHeapTest} runs it in a child JVM with a small heap.
 *
 * <p>Args: directory, rows, width, batch rows, formats (e.g. {@code jsonl,npz,csv}).
 */
public final class DatasetReadBench {
  private DatasetReadBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long rows = Long.parseLong(args[1]);
    int width = Integer.parseInt(args[2]);
    int batch = Integer.parseInt(args[3]);
    DatasetSchema schema = Rows.schema(Rows.spec("curve", "FP32", -1, width));
    for (String f : args[4].split(",")) {
      DatasetFormat format = DatasetFormat.parse(f);
      Path file = dir.resolve("bench." + format.id());
      write(format, file, rows, width);
      long t0 = System.nanoTime();
      long read = 0;
      double check = 0;
      try (DatasetSource src = DatasetReaders.open(format, file, schema, DatasetLimits.defaults(),
          -1)) {
        for (DatasetBatch b; (b = src.next(batch)) != null; ) {
          if (b.rows() > batch) {
            throw new AssertionError("batch of " + b.rows());
          }
          read += b.rows();
          check += b.labels()[0];
        }
      }
      double s = (System.nanoTime() - t0) / 1e9;
      if (read != rows) {
        throw new AssertionError("read " + read + " of " + rows + " rows");
      }
      System.out.printf(Locale.ROOT, "%s: %d rows x %d values (%d MB file), max heap %d MB:"
          + " %.0f rows/s (%.2f s) [%s]%n", format.id(), rows, width,
          Files.size(file) >> 20, Runtime.getRuntime().maxMemory() >> 20, read / s, s,
          check > 0 ? "ok" : "?");
      Files.delete(file);
    }
  }

  /** Row r: input values r % 97 + k / 8, label values the same plus 1. */
  static void write(DatasetFormat format, Path file, long rows, int width) throws IOException {
    switch (format) {
      case JSONL, CSV -> {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
          if (format == DatasetFormat.CSV) {
            StringBuilder h = new StringBuilder();
            for (int k = 0; k < width; k++) {
              h.append("f").append(k).append(',');
            }
            for (int k = 0; k < width; k++) {
              h.append("label_").append(k).append(k < width - 1 ? "," : "\n");
            }
            w.write(h.toString());
          }
          StringBuilder sb = new StringBuilder();
          for (long r = 0; r < rows; r++) {
            sb.setLength(0);
            boolean json = format == DatasetFormat.JSONL;
            sb.append(json ? "{\"input\": [" : "");
            for (int k = 0; k < width; k++) {
              sb.append(value(r, k)).append(k < width - 1 ? ", " : json ? "], \"label\": [" : ", ");
            }
            for (int k = 0; k < width; k++) {
              sb.append(value(r, k) + 1).append(k < width - 1 ? ", " : json ? "]}\n" : "\n");
            }
            w.write(sb.toString());
          }
        }
      }
      case NPZ -> {
        try (OutputStream os = Files.newOutputStream(file);
            ZipOutputStream zip = new ZipOutputStream(os)) {
          zip.setLevel(Deflater.BEST_SPEED);
          for (String array : new String[] {"input", "label"}) {
            zip.putNextEntry(new ZipEntry(array + ".npy"));
            DataOutputStream out = new DataOutputStream(zip);
            String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", "
                + width + "), }";
            int pad = 64 - (10 + dict.length() + 1) % 64;
            String header = dict + " ".repeat(pad % 64) + "\n";
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            out.write(header.length() & 0xff);
            out.write(header.length() >> 8);
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            ByteBuffer b = ByteBuffer.allocate(width * 4 * 1024).order(ByteOrder.LITTLE_ENDIAN);
            for (long r = 0; r < rows; r++) {
              for (int k = 0; k < width; k++) {
                b.putFloat(value(r, k) + (array.equals("label") ? 1 : 0));
              }
              if (!b.hasRemaining()) {
                out.write(b.array(), 0, b.position());
                b.clear();
              }
            }
            out.write(b.array(), 0, b.position());
            out.flush();
            zip.closeEntry();
          }
        }
      }
      default -> throw new IllegalArgumentException(format.id());
    }
  }

  private static float value(long r, int k) {
    return (r % 97) + k / 8f;
  }
}
