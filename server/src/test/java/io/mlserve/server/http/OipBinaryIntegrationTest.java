package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.MAPPER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Triton's binary tensor data extension on {@code /v2/models/{m}/infer}, against the real demo
 * model over loopback. Bodies are built byte by byte as the extension document's examples lay
 * them out (JSON header, then little-endian tensor bytes), and answers are checked byte by byte:
 * Content-Type, {@code Inference-Header-Content-Length}, the JSON header, the bytes after it.
 */
class OipBinaryIntegrationTest extends BinaryIntegrationBase {
  @Test
  void binaryInputAndBinaryOutputAsInTheDocumentsExample() throws Exception {
    String json = "{\"model_name\":\"" + MODEL + "\",\"inputs\":[{\"name\":\"curve\","
        + "\"shape\":[2,24],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":192}}],"
        + "\"outputs\":[{\"name\":\"forecast\",\"parameters\":{\"binary_data\":true}}]}";
    HttpResponse<byte[]> r = postBinary(json, rowsLe(3, 2));
    JsonNode head = binaryHeader(r);
    int n = Integer.parseInt(r.headers().firstValue(HEADER).orElseThrow());
    assertEquals(n + 192, r.body().length);
    JsonNode out = head.get("outputs").get(0);
    assertEquals("forecast", out.get("name").asText());
    assertEquals("FP32", out.get("datatype").asText());
    assertEquals("[2,24]", out.get("shape").toString());
    assertEquals(192, out.get("parameters").get("binary_data_size").asInt());
    assertFalse(out.has("data"), head.toString());
    assertEquals(MODEL, head.get("model_name").asText());
    assertRowsLe(r.body(), n, 3, 2);
  }

  @Test
  void serverMetadataListsTheExtension() throws Exception {
    JsonNode ext = MAPPER.readTree(http.get("/v2").body()).get("extensions");
    assertTrue(ext.toString().contains("\"binary_tensor_data\""), ext.toString());
  }

  @Test
  void binaryDataOutputAppliesToAllOutputsUnlessAnOutputSaysOtherwise() throws Exception {
    String in = "\"inputs\":[{\"name\":\"curve\",\"shape\":[1,24],\"datatype\":\"FP32\","
        + "\"parameters\":{\"binary_data_size\":96}}]";
    HttpResponse<byte[]> all = postBinary("{" + in + ",\"parameters\":{\"binary_data_output\":"
        + "true}}", rowsLe(5, 1));
    JsonNode head = binaryHeader(all);
    assertEquals(96, head.get("outputs").get(0).get("parameters").get("binary_data_size").asInt());
    assertRowsLe(all.body(), all.body().length - 96, 5, 1);

    // binary_data: false on the output overrides the request's binary_data_output: plain JSON.
    HttpResponse<byte[]> json = postBinary("{" + in + ",\"parameters\":{\"binary_data_output\":"
        + "true},\"outputs\":[{\"name\":\"forecast\",\"parameters\":{\"binary_data\":false}}]}",
        rowsLe(5, 1));
    assertEquals(200, json.statusCode(), text(json));
    assertEquals("application/json", json.headers().firstValue("Content-Type").orElse(""));
    assertTrue(json.headers().firstValue(HEADER).isEmpty());
    assertRow(MAPPER.readTree(json.body()).get("outputs").get(0).get("data"), 5);
  }

  @Test
  void jsonInputsMayAskForBinaryOutputsWithoutTheHeader() throws Exception {
    String body = "{\"inputs\":[{\"name\":\"curve\",\"shape\":[1,24],\"datatype\":\"FP32\","
        + "\"data\":" + inputRow(7) + "}],\"outputs\":[{\"name\":\"forecast\","
        + "\"parameters\":{\"binary_data\":true}}]}";
    HttpResponse<byte[]> r = post(INFER, body.getBytes(StandardCharsets.UTF_8),
        "application/json", null);
    binaryHeader(r);
    assertRowsLe(r.body(), r.body().length - 96, 7, 1);
  }

  @Test
  void theJsonPathIsUnchanged() throws Exception {
    String body = "{\"inputs\":[{\"name\":\"curve\",\"shape\":[1,24],\"datatype\":\"FP32\","
        + "\"data\":" + inputRow(8) + "}]}";
    for (String type : new String[] {"application/json", "application/octet-stream"}) {
      // Without the header the whole body is JSON, whatever its Content-Type (as Triton reads it).
      HttpResponse<byte[]> r = post(INFER, body.getBytes(StandardCharsets.UTF_8), type, null);
      assertEquals(200, r.statusCode(), text(r));
      assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
      assertRow(MAPPER.readTree(r.body()).get("outputs").get(0).get("data"), 8);
    }
    // The header giving the whole body as JSON is the same request.
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    HttpResponse<byte[]> r = post(INFER, b, "application/json", Integer.toString(b.length));
    assertEquals(200, r.statusCode(), text(r));
    assertRow(MAPPER.readTree(r.body()).get("outputs").get(0).get("data"), 8);
  }

  @Test
  void rawBinaryRequestWithoutJson() throws Exception {
    // Header 0: the body is the one input's data; one row of [-1, 24]; every output is binary.
    HttpResponse<byte[]> r = post(INFER, rowsLe(9, 1), "application/octet-stream", "0");
    JsonNode head = binaryHeader(r);
    assertEquals("[1,24]", head.get("outputs").get(0).get("shape").toString());
    assertRowsLe(r.body(), r.body().length - 96, 9, 1);

    assertTrue(error(post(INFER, Arrays.copyOf(rowsLe(9, 1), 95), "application/octet-stream",
        "0")).contains("raw binary body of 95 bytes"));
  }

  @Test
  void malformedFramingIsA400NamingTheProblem() throws Exception {
    String json = "{\"inputs\":[{\"name\":\"curve\",\"shape\":[1,24],\"datatype\":\"FP32\","
        + "\"parameters\":{\"binary_data_size\":96}}]}";
    byte[] head = json.getBytes(StandardCharsets.UTF_8);
    byte[] body = concat(head, rowsLe(0, 1));
    String octet = "application/octet-stream";

    assertTrue(error(post(INFER, body, octet, Integer.toString(body.length + 1)))
        .contains("the body has only " + body.length + " bytes"));
    assertTrue(error(post(INFER, body, octet, "-5")).contains("non-negative integer"));
    assertTrue(error(post(INFER, body, octet, "12abc")).contains("got '12abc'"));
    assertTrue(error(post(INFER, body, octet, "99999999999999999999")).contains(HEADER));

    // A size that disagrees with shape x datatype.
    String wrong = json.replace("96", "92");
    assertTrue(error(postBinary(wrong, Arrays.copyOf(rowsLe(0, 1), 92)))
        .contains("binary_data_size is 92 bytes, but shape [1, 24] of FP32 takes 96"));
    // Sizes past the body.
    assertTrue(error(postBinary(json, Arrays.copyOf(rowsLe(0, 1), 50)))
        .contains("runs past the end of the body: 50 bytes"));
    // Trailing bytes nobody claims.
    assertTrue(error(postBinary(json, rowsLe(0, 1), new byte[] {1, 2, 3}))
        .contains("3 bytes of binary data after the JSON are not claimed"));
    // Both data and binary_data_size.
    String both = json.replace("\"parameters\"", "\"data\":" + inputRow(0) + ",\"parameters\"");
    assertTrue(error(postBinary(both, rowsLe(0, 1))).contains("either 'data' or parameter"));
    // binary_data_size without the header.
    assertTrue(error(post(INFER, head, "application/json", null)).contains(HEADER));
    // A size that is not a number, a flag that is not a boolean.
    assertTrue(error(postBinary(json.replace("96", "\"96\""), rowsLe(0, 1)))
        .contains("'binary_data_size' must be a non-negative integer"));
    assertTrue(error(postBinary(json.replace("}]}", "}],\"parameters\":"
        + "{\"binary_data_output\":\"yes\"}}"), rowsLe(0, 1))).contains("must be true or false"));
    // A header that cuts the JSON short is a JSON error, not a crash.
    assertEquals(400, post(INFER, body, octet, "10").statusCode());
    // Other content types are still refused.
    assertEquals(415, post(INFER, body, "text/plain", Integer.toString(head.length)).statusCode());
  }
}
