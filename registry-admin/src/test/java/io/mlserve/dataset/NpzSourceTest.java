package io.mlserve.dataset;

import static io.mlserve.dataset.Rows.floats;
import static io.mlserve.dataset.Rows.longs;
import static io.mlserve.dataset.Rows.schema;
import static io.mlserve.dataset.Rows.spec;
import static io.mlserve.dataset.Rows.x4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The .npz files under test resources datasets/ were written by NumPy (np.savez and
 * np.savez_compressed, see make_npz.py there); they are read against input 'x' FP32 [-1, 4] or
 * inputs 'a' FP32 [-1, 3] and 'b' INT64 [-1, 2].
 */
class NpzSourceTest {
  private static final float[] X = {0, .25f, .5f, .75f, 1, 1.25f, 1.5f, 1.75f, 2, 2.25f, 2.5f,
      2.75f, 3, 3.25f, 3.5f, 3.75f, 4, 4.25f, 4.5f, 4.75f};

  static Path npz(String name) {
    try {
      return Path.of(NpzSourceTest.class.getResource("/datasets/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void readsSavezWithGenericNamesInBatches() throws Exception {
    List<DatasetBatch> batches = Rows.readAll(DatasetFormat.NPZ, npz("single.npz"), x4(), 2);
    assertEquals(List.of(2, 2, 1), batches.stream().map(DatasetBatch::rows).toList());
    assertEquals(4, batches.get(2).firstRow());
    float[] all = new float[20];
    double[] labels = new double[5];
    for (DatasetBatch b : batches) {
      float[] f = floats(b.inputs().get(0));
      System.arraycopy(f, 0, all, (int) b.firstRow() * 4, f.length);
      System.arraycopy(b.labels(), 0, labels, (int) b.firstRow(), b.rows());
      assertArrayEquals(new long[] {b.rows(), 4}, b.inputs().get(0).shape());
    }
    assertArrayEquals(X, all);
    assertArrayEquals(new double[] {0.5, 1.5, 2.5, 3.5, 4.5}, labels);
  }

  @Test
  void readsSavezCompressedByInputNameConvertingFloat64() throws Exception {
    DatasetBatch b = Rows.readAll(DatasetFormat.NPZ, npz("single_compressed.npz"), x4(), 10)
        .get(0);
    assertEquals(5, b.rows());
    assertEquals("FP32", b.inputs().get(0).datatype());
    assertArrayEquals(X, floats(b.inputs().get(0)));
  }

  @Test
  void readsOneArrayPerInputConvertingInt32ToInt64() throws Exception {
    DatasetSchema s = schema(spec("a", "FP32", -1, 3), spec("b", "INT64", -1, 2));
    DatasetBatch b = Rows.readAll(DatasetFormat.NPZ, npz("multi.npz"), s, 10).get(0);
    assertEquals(4, b.rows());
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
        floats(b.inputs().get(0)));
    assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, longs(b.inputs().get(1)));
    assertArrayEquals(new double[] {0, 1, 2, 1}, b.labels());
  }

  @Test
  void refusesEachKindOfBadArchiveNamingTheArray() {
    DatasetSchema s = schema(spec("a", "FP32", -1, 3), spec("b", "INT64", -1, 2));
    assertEquals("array 'input' is in Fortran (column-major) order; save a C-ordered copy"
        + " (np.ascontiguousarray)", refusal("fortran.npz", x4()));
    assertEquals("array 'input' has dtype '>f4'; datasets take little-endian float32, float64,"
        + " int8, int16, int32, int64, uint8 or bool (convert with .astype('<f4'))",
        refusal("bigendian.npz", x4()));
    assertEquals("array 'label' row 2: label is NaN; labels must be finite",
        refusal("nan_label.npz", x4()));
    assertEquals("array 'input' has 5 rows and array 'label' 4; every array needs the same"
        + " number of rows (the first dimension)", refusal("rows_differ.npz", x4()));
    assertEquals("array 'input' has shape [5, 5]: rows of [5], but input 'x' has shape [4] (4"
        + " values a row)", refusal("wrong_width.npz", x4()));
    assertEquals("array 'b' row 0, value 0: 0.5 is not an integer (INT64)",
        refusal("fraction_for_int.npz", s));
    assertEquals("array 'weights' is neither 'label' nor an input of the model (inputs: 'x')",
        refusal("extra_array.npz", x4()));
    assertEquals("no array 'a' for the model's input 'a' (the archive holds 'input', 'label';"
        + " the model takes 'a', 'b')", refusal("single.npz", s));
  }

  @Test
  void refusesAFileThatIsNotAZip() throws Exception {
    Path f = Rows.write(Path.of(System.getProperty("java.io.tmpdir")),
        "not-npz-" + ProcessHandle.current().pid() + ".npz", "hello");
    try {
      assertEquals("not a .npz file (not a zip archive)",
          Rows.refusal(DatasetFormat.NPZ, f, x4()));
    } finally {
      java.nio.file.Files.deleteIfExists(f);
    }
  }

  private static String refusal(String file, DatasetSchema s) {
    return Rows.refusal(DatasetFormat.NPZ, npz(file), s);
  }
}
