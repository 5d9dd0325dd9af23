package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.MAPPER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Shared by the binary-format integration tests: little-endian rows of the demo examples, raw
 * byte POSTs with chosen headers, and checks of a binary answer's framing and bytes.
 */
abstract class BinaryIntegrationBase extends GatewayIntegrationBase {
  static final String INFER = "/v2/models/" + MODEL + "/infer";
  static final String HEADER = "Inference-Header-Content-Length";
  static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  /** Rows r0.. of the demo examples as little-endian FP32 bytes. */
  static byte[] rowsLe(int first, int count) {
    ByteBuffer b = ByteBuffer.allocate(count * 24 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < count; r++) {
      for (JsonNode v : inputRow(first + r)) {
        b.putFloat(v.floatValue());
      }
    }
    return b.array();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static HttpResponse<byte[]> post(String path, byte[] body, String contentType,
      String headerLength, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + gateway.port() + path))
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (headerLength != null) {
      b.header(HEADER, headerLength);
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** A binary-extension request: the JSON, then the tensor bytes. */
  static HttpResponse<byte[]> postBinary(String json, byte[]... tensors) throws Exception {
    byte[] head = json.getBytes(StandardCharsets.UTF_8);
    return post(INFER, concat(head, concat(tensors)), "application/octet-stream",
        Integer.toString(head.length));
  }

  static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  static String error(HttpResponse<byte[]> r) throws Exception {
    assertEquals(400, r.statusCode(), text(r));
    return MAPPER.readTree(r.body()).get("error").asText();
  }

  /** The JSON part of a binary answer, checking the headers that frame it. */
  static JsonNode binaryHeader(HttpResponse<byte[]> r) throws Exception {
    assertEquals(200, r.statusCode(), text(r));
    assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
    int n = Integer.parseInt(r.headers().firstValue(HEADER).orElseThrow());
    assertEquals(r.body().length, r.headers().firstValueAsLong("Content-Length").orElse(-1));
    return MAPPER.readTree(Arrays.copyOf(r.body(), n));
  }

  /** Checks FP32 bytes at {@code at} against the examples' outputs of rows first... */
  static void assertRowsLe(byte[] body, int at, int first, int count) {
    ByteBuffer b = ByteBuffer.wrap(body, at, count * 96).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < count; r++) {
      ArrayNode row = MAPPER.createArrayNode();
      for (int i = 0; i < 24; i++) {
        row.add(b.getFloat());
      }
      assertRow(row, first + r);
    }
  }

}
