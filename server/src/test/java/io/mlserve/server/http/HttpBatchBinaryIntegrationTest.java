package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.MAPPER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/batch} in binary against the real demo model over loopback: rows as raw
 * little-endian bytes in, the predictions framed like the binary tensor data extension out.
 */
class HttpBatchBinaryIntegrationTest extends BinaryIntegrationBase {
  private static final String BATCH = "/api/v1/batch?model=" + MODEL;
  private static final String OCTET = "application/octet-stream";

  /** Checks a binary batch answer of {@code count} rows starting at example row {@code first}. */
  private static JsonNode assertPredictions(HttpResponse<byte[]> r, int first, int count)
      throws Exception {
    JsonNode head = binaryHeader(r);
    int n = Integer.parseInt(r.headers().firstValue(HEADER).orElseThrow());
    JsonNode out = head.get("outputs").get(0);
    assertEquals("forecast", out.get("name").asText());
    assertEquals("FP32", out.get("datatype").asText());
    assertEquals("[" + count + ",24]", out.get("shape").toString());
    assertEquals(count * 96, out.get("parameters").get("binary_data_size").asInt());
    assertEquals(n + count * 96, r.body().length);
    assertRowsLe(r.body(), n, first, count);
    return head;
  }

  @Test
  void rowsInAsBytesPredictionsOutAsBytes() throws Exception {
    // 150 rows: three chunks of the model's max batch (64, 64, 22), put back in row order.
    HttpResponse<byte[]> r = post(BATCH + "&request_id=bin-1", rowsLe(0, 150), OCTET, null);
    JsonNode head = assertPredictions(r, 0, 150);
    assertEquals(MODEL, head.get("model").asText());
    assertEquals("1.0.0", head.get("version").asText());
    assertEquals("bin-1", head.get("request_id").asText());

    // The query picks the version like the JSON fields do.
    HttpResponse<byte[]> staging = post(BATCH + "&stage=Staging", rowsLe(4, 2), OCTET, null);
    assertEquals("1.0.1", assertPredictions(staging, 4, 2).get("version").asText());
  }

  @Test
  void aJsonRequestMayAskForBinaryPredictions() throws Exception {
    String body = "{\"model\":\"" + MODEL + "\",\"instances\":" + instances(3) + "}";
    HttpResponse<byte[]> r = post("/api/v1/batch", body.getBytes(), "application/json", null,
        "Accept", OCTET);
    assertPredictions(r, 0, 3);
  }

  @Test
  void anAsyncJobsResultComesBackAsBytesWhenAskedFor() throws Exception {
    HttpResponse<byte[]> started = post(BATCH + "&async=true", rowsLe(2, 70), OCTET, null);
    assertEquals(202, started.statusCode(), text(started));
    String location = MAPPER.readTree(started.body()).get("location").asText();
    JsonNode done = JobPolling.poll(http, location);
    assertEquals("done", done.get("state").asText(), done.toString());
    assertEquals(70, done.get("predictions").size()); // without Accept: JSON, as before
    HttpResponse<byte[]> got = CLIENT.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.port() + location))
        .header("Accept", OCTET).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    JsonNode head = assertPredictions(got, 2, 70);
    assertEquals("done", head.get("state").asText());
  }

  @Test
  void badBinaryBatchesAre400sNamingTheProblem() throws Exception {
    assertTrue(error(post(BATCH, Arrays.copyOf(rowsLe(0, 2), 100), OCTET, null))
        .contains("the body's 100 bytes are not a whole number of instances of input 'curve' "
            + "(FP32 [24]: 96 bytes each)"));
    assertTrue(error(post(BATCH, new byte[0], OCTET, null)).contains("the body holds no rows"));
    assertTrue(error(post(BATCH + "&rows=2", rowsLe(0, 2), OCTET, null))
        .contains("unknown query parameter 'rows'"));
    assertTrue(error(post(BATCH + "&async=yes", rowsLe(0, 2), OCTET, null))
        .contains("'async' must be true or false"));
    assertEquals(400, post("/api/v1/batch", rowsLe(0, 2), OCTET, null).statusCode());
  }
}
