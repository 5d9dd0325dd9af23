package io.mlserve.server.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.BytesElements;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BYTES tensors in the JSON codecs: strings in, strings out, UTF-8 on both sides. */
class BytesJsonTest {
  private static JsonNode tree(String json) throws Exception {
    return Json.MAPPER.readTree(json);
  }

  private static List<String> strings(Tensor t) {
    return BytesElements.decode(t).stream()
        .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
  }

  private static String write(Json.Body body) {
    return new String(Json.write(body), StandardCharsets.UTF_8);
  }

  @Test
  void oipDataOfStringsFlatOrNestedBecomesRawUtf8() throws Exception {
    Tensor flat = JsonTensors.fromFlat("text", DataType.BYTES, new long[] {2, 2},
        tree("[\"a\", \"\", \"caf\\u00e9\", \"\\ud83d\\ude00\"]"));
    assertEquals(List.of("a", "", "café", "😀"), strings(flat));
    assertArrayEquals(new long[] {2, 2}, flat.shape());
    // é is two UTF-8 bytes, the emoji four: the raw layout holds bytes, not UTF-16 units
    assertEquals(4 * 4 + 1 + 0 + 5 + 4, flat.data().length);
    Tensor nested = JsonTensors.fromFlat("text", DataType.BYTES, new long[] {2, 2},
        tree("[[\"a\", \"\"], [\"café\", \"😀\"]]"));
    assertArrayEquals(flat.data(), nested.data());
    Tensor fromNesting = JsonTensors.fromNested("text", DataType.BYTES,
        tree("[[\"x\"], [\"y\"]]"));
    assertArrayEquals(new long[] {2, 1}, fromNesting.shape());
    assertEquals(List.of("x", "y"), strings(fromNesting));
  }

  @Test
  void oipStringDataIsRefusedClearly() throws Exception {
    IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
        () -> JsonTensors.fromFlat("text", DataType.BYTES, new long[] {3}, tree("[\"a\"]")));
    assertEquals("tensor 'text': shape [3] needs 3 values, got 1", count.getMessage());
    IllegalArgumentException number = assertThrows(IllegalArgumentException.class,
        () -> JsonTensors.fromFlat("text", DataType.BYTES, new long[] {2}, tree("[\"a\", 7]")));
    assertEquals("tensor 'text': expected strings of BYTES, got 7", number.getMessage());
    IllegalArgumentException lone = assertThrows(IllegalArgumentException.class,
        () -> JsonTensors.fromFlat("text", DataType.BYTES, new long[] {1, 2},
            tree("[\"ok\", \"a\\ud800\"]")));
    assertTrue(lone.getMessage().startsWith("tensor 'text': string [0][1] holds an unpaired"
        + " UTF-16 surrogate (\\ud800 at character 1)"), lone.getMessage());
    // strings where numbers are expected keep the numeric message
    IllegalArgumentException numeric = assertThrows(IllegalArgumentException.class,
        () -> JsonTensors.fromFlat("x", DataType.FP32, new long[] {1}, tree("[\"1.5\"]")));
    assertEquals("tensor 'x': expected numbers of FP32, got \"1.5\"", numeric.getMessage());
  }

  @Test
  void bytesOutputsAreWrittenAsStringsFlatNestedAndByRow() throws Exception {
    Tensor t = Tensor.ofStrings("label", new long[] {2, 2},
        List.of("cat", "", "naïve \"quoted\"\n", "😀"));
    // Jackson writes a character outside the BMP as an escaped surrogate pair: valid JSON
    assertEquals("[\"cat\",\"\",\"naïve \\\"quoted\\\"\\n\",\"\\uD83D\\uDE00\"]",
        write(g -> TensorJson.writeFlat(g, t)));
    JsonNode nested = tree(write(g -> TensorJson.writeNested(g, t, false)));
    assertEquals("naïve \"quoted\"\n", nested.get(1).get(0).textValue());
    assertEquals("😀", nested.get(1).get(1).textValue());
    assertEquals("", nested.get(0).get(1).textValue());
    Tensor scores = Tensor.ofFloats("p", new long[] {2}, new float[] {0.25f, 0.75f});
    Tensor labels = Tensor.ofStrings("label", new long[] {2}, List.of("a", "b"));
    assertEquals("[{\"label\":\"a\",\"p\":0.25},{\"label\":\"b\",\"p\":0.75}]",
        write(g -> TensorJson.writePredictions(g, new Tensor[][] {{labels, scores}}, true,
            List.of("label", "p"))));
  }

  @Test
  void bytesThatAreNotUtf8AreRefusedNamingTheOutputAndElement() {
    byte[] raw = BytesElements.encode(List.of("ok".getBytes(StandardCharsets.UTF_8),
        new byte[] {(byte) 0xC3, (byte) 0x28}));
    Tensor t = new Tensor("blob", DataType.BYTES, new long[] {1, 2}, raw);
    InferenceException e = assertThrows(InferenceException.class,
        () -> Json.write(g -> TensorJson.writeFlat(g, t)));
    assertEquals(InferenceException.Kind.INVALID_ARGUMENT, e.kind());
    assertTrue(e.getMessage().startsWith("output 'blob': BYTES element 1 [0][1] is not valid "
        + "UTF-8, so it has no JSON string form; request this output over gRPC"),
        e.getMessage());
  }

  private static NestedArray read(String json) throws Exception {
    try (JsonParser p = Json.FACTORY.createParser(json)) {
      p.nextToken();
      return NestedArray.read(p, "input", 1000);
    }
  }

  @Test
  void streamedArraysCarryStringsToBytesInputsOnly() throws Exception {
    NestedArray a = read("[[\"a\", \"b\"], [\"c\", \"é\"]]");
    assertArrayEquals(new long[] {2, 2}, a.shape());
    Tensor t = a.toTensor("text", DataType.BYTES, a.shape());
    assertEquals(List.of("a", "b", "c", "é"), strings(t));
    assertEquals(List.of(), strings(read("[]").toTensor("text", DataType.BYTES, new long[] {0})));

    InferenceException numbersForStrings = assertThrows(InferenceException.class,
        () -> read("[\"a\", 1]").toTensor("text", DataType.BYTES, new long[] {2}));
    assertEquals("field 'input': input 'text' is BYTES (strings), got numbers",
        numbersForStrings.getMessage());
    InferenceException stringsForNumbers = assertThrows(InferenceException.class,
        () -> read("[1, \"seven\"]").toTensor("x", DataType.FP32, new long[] {2}));
    assertEquals("field 'input': input 'x' is FP32, got a string (\"seven\")",
        stringsForNumbers.getMessage());
    InferenceException nulls = assertThrows(InferenceException.class, () -> read("[null]"));
    assertEquals("field 'input' must hold only numbers or strings, got null",
        nulls.getMessage());
  }

  @Test
  void manyStringsGrowTheStreamedArray() throws Exception {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < 200; i++) {
      sb.append(i == 0 ? "" : ",").append("\"s").append(i).append('"');
    }
    NestedArray a = read(sb.append(']').toString());
    List<String> got = strings(a.toTensor("s", DataType.BYTES, a.shape()));
    assertEquals(200, got.size());
    assertEquals("s0", got.get(0));
    assertEquals("s199", got.get(199));
  }
}
