package io.mlserve.dataset;

import static io.mlserve.dataset.Rows.floats;
import static io.mlserve.dataset.Rows.longs;
import static io.mlserve.dataset.Rows.refusal;
import static io.mlserve.dataset.Rows.schema;
import static io.mlserve.dataset.Rows.spec;
import static io.mlserve.dataset.Rows.write;
import static io.mlserve.dataset.Rows.x4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlSourceTest {
  @TempDir Path tmp;

  @Test
  void readsFlatAndNestedRowsInBatches() throws Exception {
    DatasetSchema s = schema(spec("x", "FP32", -1, 2, 2));
    Path f = write(tmp, "d.jsonl", "{\"input\": [1, 2, 3, 4], \"label\": 0.5}\r\n"
        + "{\"label\": [1.5], \"input\": [[5, 6], [7, 8.25]], \"id\": \"ignored\"}\n"
        + "{\"inputs\": {\"x\": [9, 10, 11, 12]}, \"label\": 2}\n\n  \n");
    List<DatasetBatch> batches = Rows.readAll(DatasetFormat.JSONL, f, s, 2);
    assertEquals(2, batches.size());
    DatasetBatch first = batches.get(0);
    assertEquals(0, first.firstRow());
    assertEquals(2, first.rows());
    assertEquals(1, first.labelWidth());
    InputArray x = first.inputs().get(0);
    assertEquals("x", x.name());
    assertEquals("FP32", x.datatype());
    assertArrayEquals(new long[] {2, 2, 2}, x.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8.25f}, floats(x));
    assertArrayEquals(new double[] {0.5, 1.5}, first.labels());
    assertEquals(2, batches.get(1).firstRow());
    assertArrayEquals(new float[] {9, 10, 11, 12}, floats(batches.get(1).inputs().get(0)));
    assertArrayEquals(new double[] {2}, batches.get(1).labels());
  }

  @Test
  void readsSeveralInputsAndArrayLabels() throws Exception {
    DatasetSchema s = schema(spec("a", "FP32", -1, 2), spec("b", "INT64", -1, 1));
    Path f = write(tmp, "d.jsonl",
        "{\"inputs\": {\"b\": [9007199254740993], \"a\": [1, 2]}, \"label\": [1, 0, 0]}\n"
        + "{\"inputs\": {\"a\": [3, 4], \"b\": [-7]}, \"label\": [[0, 1], [0]]}\n");
    DatasetBatch b = Rows.readAll(DatasetFormat.JSONL, f, s, 10).get(0);
    assertEquals(3, b.labelWidth());
    assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0}, b.labels());
    assertArrayEquals(new float[] {1, 2, 3, 4}, floats(b.inputs().get(0)));
    assertArrayEquals(new long[] {9007199254740993L, -7}, longs(b.inputs().get(1)));
  }

  @Test
  void refusesEachKindOfBadLineNamingItAndWhy() throws Exception {
    DatasetSchema x = x4();
    String ok = "{\"input\": [1, 2, 3, 4], \"label\": 1}\n";
    assertEquals("line 2: missing \"label\"",
        refusal(ok + "{\"input\": [1, 2, 3, 4]}\n", x));
    assertEquals("line 1: missing \"input\"", refusal("{\"label\": 1}\n", x));
    assertEquals("line 2: wrong length 5 for input 'x' of shape [4]",
        refusal(ok + "{\"input\": [1, 2, 3, 4, 5], \"label\": 1}\n", x));
    assertEquals("line 1: input 'x'[1]: non-numeric value \"a\"",
        refusal("{\"input\": [1, \"a\", 3, 4], \"label\": 1}\n", x));
    assertEquals("line 1: label is NaN; labels must be finite",
        refusal("{\"input\": [1, 2, 3, 4], \"label\": NaN}\n", x));
    assertEquals("line 1: input 'x'[2]: Infinity is not a finite number",
        refusal("{\"input\": [1, 2, Infinity, 4], \"label\": 1}\n", x));
    assertEquals("line 1: input 'x' is ragged: arrays of 2 and 3 values at one level",
        refusal("{\"input\": [[1, 2], [3, 4, 5]], \"label\": 1}\n", x));
    assertEquals("line 1: input 'x' is ragged: numbers and arrays at one level",
        refusal("{\"input\": [1, [2, 3], 4], \"label\": 1}\n", x));
    assertEquals("line 1: input 'x' is nested as [2, 2]; its shape is [4] (give it flat or"
        + " nested as its shape)", refusal("{\"input\": [[1, 2], [3, 4]], \"label\": 1}\n", x));
    assertEquals("line 2: label has 2 values, earlier rows have 1",
        refusal(ok + "{\"input\": [1, 2, 3, 4], \"label\": [1, 2]}\n", x));
    assertEquals("line 1: not valid JSON at column 23 (Unexpected end-of-input: expected close"
        + " marker for Object)", refusal("{\"input\": [1, 2, 3, 4]\n", x));
    assertEquals("line 1: not valid JSON at column 11 (Unexpected character ('}' (code 125)):"
        + " expected a value)",
        refusal("{\"input\": }\n", x));
    assertEquals("line 2 is blank; blank lines may only end the file",
        refusal(ok + "\n" + ok, x));
    assertEquals("line 1: not a JSON object; each line must be {\"input\": [...], \"label\":"
        + " ...}", refusal("[1, 2, 3, 4]\n", x));
    assertEquals("line 1: non-numeric label value \"cat\" (labels are numbers; give classes as"
        + " indices)", refusal("{\"input\": [1, 2, 3, 4], \"label\": \"cat\"}\n", x));
  }

  @Test
  void refusesWhatTheInputTypeCannotHold() throws Exception {
    DatasetSchema s = schema(spec("a", "FP32", -1, 1), spec("b", "INT32", -1, 2));
    assertEquals("line 1: input 'b'[1]: 1.5 is not an integer (INT32)",
        refusal("{\"inputs\": {\"a\": [1], \"b\": [1, 1.5]}, \"label\": 0}\n", s));
    assertEquals("line 1: input 'b'[0]: 3000000000 is out of range for INT32 [-2147483648,"
        + " 2147483647]",
        refusal("{\"inputs\": {\"a\": [1], \"b\": [3000000000, 1]}, \"label\": 0}\n", s));
    assertEquals("line 1: the model has 2 inputs ('a', 'b'); give them as \"inputs\":"
        + " {\"name\": [...], ...}", refusal("{\"input\": [1, 2, 3], \"label\": 0}\n", s));
    assertEquals("line 1: \"inputs\" names 'c', which is not an input of the model (inputs:"
        + " 'a', 'b')", refusal("{\"inputs\": {\"c\": [1]}, \"label\": 0}\n", s));
    assertEquals("line 1: missing input 'b' in \"inputs\"",
        refusal("{\"inputs\": {\"a\": [1]}, \"label\": 0}\n", s));
  }

  @Test
  void refusesALineOverTheLimitBeforeHoldingItWhole() throws Exception {
    DatasetLimits small = new DatasetLimits(1 << 20, 64, 4, 4, 64);
    Path f = write(tmp, "d.jsonl", "{\"input\": [1, 2, 3, 4], \"label\": 1}\n{\"input\": ["
        + "1, ".repeat(40) + "]}\n");
    BadDatasetException e = org.junit.jupiter.api.Assertions.assertThrows(
        BadDatasetException.class, () -> {
          try (DatasetSource src = DatasetReaders.open(DatasetFormat.JSONL, f, x4(), small, -1)) {
            while (src.next(10) != null) {
              // read
            }
          }
        });
    assertEquals("line 2 is longer than the limit of 64 bytes", e.getMessage());
  }

  private String refusal(String text, DatasetSchema s) throws Exception {
    return Rows.refusal(DatasetFormat.JSONL, write(tmp, "bad.jsonl", text), s);
  }
}
