package io.mlserve.server.http.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.TensorSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request side of the binary tensor data extension, from the extension document's example. */
class BinaryInferRequestTest {
  /** The document's example request: UINT32 [2, 2] (16 bytes) and BOOL [3] (3 bytes). */
  private static final String EXAMPLE = "{\n  \"model_name\" : \"mymodel\",\n  \"inputs\" : [\n"
      + "    {\n      \"name\" : \"input0\",\n      \"shape\" : [ 2, 2 ],\n"
      + "      \"datatype\" : \"UINT32\",\n      \"parameters\" : {\n"
      + "        \"binary_data_size\" : 16\n      }\n    },\n"
      + "    {\n      \"name\" : \"input1\",\n      \"shape\" : [ 3 ],\n"
      + "      \"datatype\" : \"BOOL\",\n      \"parameters\" : {\n"
      + "        \"binary_data_size\" : 3\n      }\n    }\n  ],\n"
      + "  \"outputs\" : [\n    {\n      \"name\" : \"output0\",\n"
      + "      \"parameters\" : {\n        \"binary_data\" : true\n      }\n    }\n  ]\n}";
  private static final byte[] INPUT0 = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, (byte) 0xff, 0, 0, 1};
  private static final byte[] INPUT1 = {1, 0, 1};

  private static HttpCall call(byte[] body, String headerLength) {
    Map<String, String> headers = headerLength == null ? Map.of()
        : Map.of(BinaryInferRequest.HEADER_LENGTH.toLowerCase(java.util.Locale.ROOT),
            headerLength);
    return new HttpCall("POST", "/v2/models/mymodel/infer", Map.of(),
        "application/octet-stream", body.length, () -> new ByteArrayInputStream(body),
        Map.of(), name -> headers.get(name.toLowerCase(java.util.Locale.ROOT)));
  }

  private static byte[] body(String json, byte[]... tensors) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(json.getBytes(StandardCharsets.UTF_8));
    for (byte[] t : tensors) {
      out.writeBytes(t);
    }
    return out.toByteArray();
  }

  private static int len(String json) {
    return json.getBytes(StandardCharsets.UTF_8).length;
  }

  private static Tensor next(BinaryInferRequest r, JsonNode in) throws Exception {
    long[] shape = new long[in.get("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = in.get("shape").get(i).longValue();
    }
    String name = in.get("name").asText();
    return r.tensor("input '" + name + "': ", name,
        DataType.parse(in.get("datatype").asText()), shape, in);
  }

  @Test
  void theDocumentsExampleSplitsIntoItsTwoInputs() throws Exception {
    BinaryInferRequest r = BinaryInferRequest.read(
        call(body(EXAMPLE, INPUT0, INPUT1), Integer.toString(len(EXAMPLE))));
    JsonNode inputs = r.json().get("inputs");
    assertTrue(BinaryInferRequest.isBinary(inputs.get(0)));
    Tensor t0 = next(r, inputs.get(0));
    Tensor t1 = next(r, inputs.get(1));
    r.checkAllClaimed();
    assertEquals(DataType.UINT32, t0.dataType());
    assertArrayEquals(new long[] {2, 2}, t0.shape());
    assertArrayEquals(INPUT0, t0.data());
    assertEquals(16777471, t0.buffer().getInt(12)); // little-endian: ff 00 00 01
    assertEquals(DataType.BOOL, t1.dataType());
    assertArrayEquals(INPUT1, t1.data());
  }

  @Test
  void sizesAreCheckedAgainstShapesAndTheBody() throws Exception {
    String h = Integer.toString(len(EXAMPLE));
    // The BOOL input's 3 bytes are missing one: past the end.
    BinaryInferRequest shortBody = BinaryInferRequest.read(
        call(body(EXAMPLE, INPUT0, new byte[] {1, 0}), h));
    JsonNode in = shortBody.json().get("inputs");
    next(shortBody, in.get(0));
    HttpStatusException e = assertThrows(HttpStatusException.class,
        () -> next(shortBody, in.get(1)));
    assertEquals("input 'input1': binary_data_size 3 runs past the end of the body: 2 bytes of "
        + "binary data are left for it", e.getMessage());

    // One byte too many.
    BinaryInferRequest longBody = BinaryInferRequest.read(
        call(body(EXAMPLE, INPUT0, INPUT1, new byte[] {9}), h));
    next(longBody, longBody.json().get("inputs").get(0));
    next(longBody, longBody.json().get("inputs").get(1));
    e = assertThrows(HttpStatusException.class, longBody::checkAllClaimed);
    assertTrue(e.getMessage().startsWith("1 bytes of binary data after the JSON"), e.getMessage());

    // A size that disagrees with [2, 2] of UINT32.
    String wrong = EXAMPLE.replace("\"binary_data_size\" : 16", "\"binary_data_size\" : 12");
    BinaryInferRequest w = BinaryInferRequest.read(
        call(body(wrong, INPUT0, INPUT1), Integer.toString(len(wrong))));
    e = assertThrows(HttpStatusException.class, () -> next(w, w.json().get("inputs").get(0)));
    assertEquals("input 'input0': binary_data_size is 12 bytes, but shape [2, 2] of UINT32 "
        + "takes 16", e.getMessage());
  }

  @Test
  void theHeaderMustBeALengthWithinTheBody() {
    byte[] b = body(EXAMPLE, INPUT0, INPUT1);
    for (String bad : new String[] {"-1", "abc", "1.5", "", " ", "0x10", "999999999999999"}) {
      HttpStatusException e = assertThrows(HttpStatusException.class,
          () -> BinaryInferRequest.read(call(b, bad)), bad);
      assertEquals(400, e.status());
      assertTrue(e.getMessage().contains(BinaryInferRequest.HEADER_LENGTH), e.getMessage());
    }
    HttpStatusException e = assertThrows(HttpStatusException.class,
        () -> BinaryInferRequest.read(call(b, Integer.toString(b.length + 1))));
    assertEquals("header Inference-Header-Content-Length says the JSON part is " + (b.length + 1)
        + " bytes, but the body has only " + b.length + " bytes", e.getMessage());
  }

  @Test
  void aRawRequestDeducesTheOneVariableDimension() throws Exception {
    byte[] data = new byte[4 * 6];
    BinaryInferRequest r = BinaryInferRequest.read(call(data, "0"));
    assertTrue(r.raw());
    // Batch dimension -> 1; the other variable dimension takes what the bytes say.
    Tensor t = r.rawInput(List.of(new TensorSpec("x", "FP32", List.of(-1L, -1L, 2L))), "m");
    assertArrayEquals(new long[] {1, 3, 2}, t.shape());
    assertEquals(24, t.data().length);
    // Fixed shape: the bytes must fill it exactly.
    HttpStatusException e = assertThrows(HttpStatusException.class, () -> r.rawInput(
        List.of(new TensorSpec("x", "FP32", List.of(-1L, 5L))), "m"));
    assertTrue(e.getMessage().contains("does not match shape [1, 5] of FP32 (20 bytes)"),
        e.getMessage());
    // More than one variable dimension, or more than one input: the JSON header is needed.
    assertThrows(HttpStatusException.class, () -> r.rawInput(
        List.of(new TensorSpec("x", "FP32", List.of(-1L, -1L, -1L))), "m"));
    assertThrows(HttpStatusException.class, () -> r.rawInput(List.of(
        new TensorSpec("a", "FP32", List.of(-1L, 2L)),
        new TensorSpec("b", "FP32", List.of(-1L, 2L))), "m"));
  }
}
