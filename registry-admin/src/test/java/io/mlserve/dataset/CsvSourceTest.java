package io.mlserve.dataset;

import static io.mlserve.dataset.Rows.floats;
import static io.mlserve.dataset.Rows.schema;
import static io.mlserve.dataset.Rows.spec;
import static io.mlserve.dataset.Rows.write;
import static io.mlserve.dataset.Rows.x4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSourceTest {
  @TempDir Path tmp;

  @Test
  void readsFeaturesInOrderAndTheLabelWhereverItIs() throws Exception {
    Path f = write(tmp, "d.csv", "f0,f1,label,f2,f3\r\n1,2,0.5,3,4\n\"5\", 6 ,1.5,7,8.25\n\n");
    DatasetBatch b = Rows.readAll(DatasetFormat.CSV, f, x4(), 10).get(0);
    assertEquals(2, b.rows());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8.25f}, floats(b.inputs().get(0)));
    assertArrayEquals(new double[] {0.5, 1.5}, b.labels());
  }

  @Test
  void readsSeveralLabelColumnsByIndex() throws Exception {
    Path f = write(tmp, "d.csv", "label_1,a,b,c,d,label_0\n9,1,2,3,4,8\n");
    DatasetBatch b = Rows.readAll(DatasetFormat.CSV, f, x4(), 10).get(0);
    assertEquals(2, b.labelWidth());
    assertArrayEquals(new double[] {8, 9}, b.labels());
  }

  @Test
  void refusesEachKindOfBadFileNamingTheLineAndWhy() throws Exception {
    assertEquals("line 1: 3 feature columns, but input 'x' of shape [4] takes 4 values a row",
        refusal("a,b,c,label\n1,2,3,4\n", x4()));
    assertEquals("line 1: no label column; name it 'label' (or 'label_0', 'label_1', ... for"
        + " several values)", refusal("a,b,c,d\n1,2,3,4\n", x4()));
    assertEquals("line 1: column 1 has no name (pandas writes its index so: save with"
        + " to_csv(index=False))", refusal(",a,b,c,d,label\n0,1,2,3,4,5\n", x4()));
    assertEquals("line 3: column 'c' is empty", refusal("a,b,c,d,label\n1,2,3,4,5\n1,2,,4,5\n",
        x4()));
    assertEquals("line 2: non-numeric value \"x\" in column 'b'",
        refusal("a,b,c,d,label\n1,x,3,4,5\n", x4()));
    assertEquals("line 2: label is NaN; labels must be finite",
        refusal("a,b,c,d,label\n1,2,3,4,nan\n", x4()));
    assertEquals("line 2: 4 columns, the header has 5", refusal("a,b,c,d,label\n1,2,3,4\n",
        x4()));
    assertEquals("line 2: more than the header's 5 columns",
        refusal("a,b,c,d,label\n1,2,3,4,5,6\n", x4()));
    assertEquals("line 2 is blank; blank lines may only end the file",
        refusal("a,b,c,d,label\n\n1,2,3,4,5\n", x4()));
    assertEquals("line 1: label columns must be label_0 to label_1, each once",
        refusal("a,b,c,d,label_0,label_2\n1,2,3,4,5,6\n", x4()));
    assertEquals("CSV holds one input, and the model has 2 ('a', 'b'); use JSONL or npz",
        refusal("a,label\n1,2\n", schema(spec("a", "FP32", -1, 1), spec("b", "FP32", -1, 1))));
    assertEquals("line 2: column 'b': 2.5 is not an integer (INT64)",
        refusal("a,b,label\n1,2.5,0\n", schema(spec("x", "INT64", -1, 2))));
  }

  private String refusal(String text, DatasetSchema s) throws Exception {
    return Rows.refusal(DatasetFormat.CSV, write(tmp, "bad.csv", text), s);
  }
}
