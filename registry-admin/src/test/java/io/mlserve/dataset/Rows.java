package io.mlserve.dataset;

import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: schemas, files, and reading a whole dataset back. */
final class Rows {
  private Rows() {}

  static TensorSpec spec(String name, String datatype, long... shape) {
    List<Long> s = new ArrayList<>();
    for (long d : shape) {
      s.add(d);
    }
    return new TensorSpec(name, datatype, s);
  }

  static DatasetSchema schema(TensorSpec... inputs) {
    return DatasetSchema.of(new Signature(List.of(inputs), List.of()), "m:1.0.0",
        DatasetLimits.defaults());
  }

  /** Input 'x', FP32 [-1, 4]. */
  static DatasetSchema x4() {
    return schema(spec("x", "FP32", -1, 4));
  }

  static Path write(Path dir, String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  /** Every batch of the file, read {@code maxRows} at a time. */
  static List<DatasetBatch> readAll(DatasetFormat format, Path file, DatasetSchema schema,
      int maxRows) throws IOException {
    List<DatasetBatch> out = new ArrayList<>();
    try (DatasetSource src = DatasetReaders.open(format, file, schema, DatasetLimits.defaults(),
        -1)) {
      for (DatasetBatch b; (b = src.next(maxRows)) != null; ) {
        out.add(b);
      }
    }
    return out;
  }

  static float[] floats(InputArray a) {
    ByteBuffer b = ByteBuffer.wrap(a.data()).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[a.data().length / 4];
    for (int i = 0; i < f.length; i++) {
      f[i] = b.getFloat();
    }
    return f;
  }

  static long[] longs(InputArray a) {
    ByteBuffer b = ByteBuffer.wrap(a.data()).order(ByteOrder.LITTLE_ENDIAN);
    long[] l = new long[a.data().length / 8];
    for (int i = 0; i < l.length; i++) {
      l[i] = b.getLong();
    }
    return l;
  }

  /** The message of the refusal reading {@code file} gives. */
  static String refusal(DatasetFormat format, Path file, DatasetSchema schema) {
    try {
      readAll(format, file, schema, 2);
    } catch (BadDatasetException e) {
      return e.getMessage();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no refusal for " + file.getFileName());
  }
}
