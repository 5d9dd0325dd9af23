package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.json;
import static io.mlserve.server.testing.TimedFakeServing.INFER_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.testing.TimedFakeServing;
import io.mlserve.server.triton.TritonExtensions;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * REST {@code /v2/models[/{m}[/versions/{v}]]/stats}, {@code .../config} and the extensions of
 * {@code /v2}, on a real gateway on a loopback port: the JSON shapes of Triton's
 * extension_statistics.md and extension_model_configuration.md.
 */
class TritonModelApiIntegrationTest {
  private static final long INFER_NS = TimeUnit.MILLISECONDS.toNanos(INFER_MS);

  @TempDir Path dir;
  private TimedFakeServing serving;
  private HttpGateway gateway;
  private HttpTestClient http;

  @BeforeEach
  void start() throws Exception {
    serving = new TimedFakeServing(dir);
    gateway = HttpGateway.builder(serving.service, serving.state)
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .serverVersion("test")
        .build();
    http = new HttpTestClient(gateway.start());
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    serving.close();
  }

  private void infer(String version, int rows) throws Exception {
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < rows * 2; i++) {
      data.append(i == 0 ? "" : ",").append(i);
    }
    HttpResponse<String> r = http.post("/v2/models/m/versions/" + version + "/infer",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[" + rows + ",2],"
            + "\"data\":[" + data + "]}]}");
    assertEquals(200, r.statusCode(), r.body());
  }

  private static void assertDuration(JsonNode d, long count, long ns) {
    assertTrue(d.get("count").isIntegralNumber() && d.get("ns").isIntegralNumber(),
        "numbers, not strings: " + d);
    assertEquals(count, d.get("count").longValue(), d.toString());
    assertEquals(ns, d.get("ns").longValue(), d.toString());
  }

  @Test
  void versionStatsHaveTritonsShape() throws Exception {
    infer("1.0.0", 2);
    HttpResponse<String> r = http.get("/v2/models/m/versions/1.0.0/stats");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode stats = json(r).get("model_stats");
    assertEquals(1, stats.size());
    JsonNode s = stats.get(0);
    assertEquals("m", s.get("name").asText());
    assertEquals("1.0.0", s.get("version").asText());
    assertEquals(TimedFakeServing.NOW.toEpochMilli(), s.get("last_inference").longValue());
    assertEquals(2, s.get("inference_count").longValue());
    assertEquals(1, s.get("execution_count").longValue());
    JsonNode inf = s.get("inference_stats");
    List<String> fields = new ArrayList<>();
    inf.fieldNames().forEachRemaining(fields::add);
    assertEquals(List.of("success", "fail", "queue", "compute_input", "compute_infer",
        "compute_output", "cache_hit", "cache_miss"), fields);
    assertDuration(inf.get("success"), 1, INFER_NS);
    assertDuration(inf.get("fail"), 0, 0);
    assertDuration(inf.get("queue"), 1, 0);
    assertDuration(inf.get("compute_infer"), 1, INFER_NS);
    JsonNode batch = s.get("batch_stats");
    assertEquals(1, batch.size());
    assertEquals(2, batch.get(0).get("batch_size").longValue());
    assertDuration(batch.get(0).get("compute_infer"), 1, INFER_NS);
    assertTrue(s.get("memory_usage").isArray() && s.get("memory_usage").isEmpty());
    assertTrue(s.get("response_stats").isObject() && s.get("response_stats").isEmpty());
  }

  @Test
  void statsOfEveryModelAndOfEveryVersionOfOne() throws Exception {
    infer("2.0.0", 1);
    JsonNode all = json(http.get("/v2/models/stats")).get("model_stats");
    assertEquals(2, all.size());
    JsonNode m = json(http.get("/v2/models/m/stats")).get("model_stats");
    assertEquals("1.0.0", m.get(0).get("version").asText());
    assertEquals(0, m.get(0).get("execution_count").longValue());
    assertEquals("2.0.0", m.get(1).get("version").asText());
    assertEquals(1, m.get(1).get("execution_count").longValue());
  }

  @Test
  void statsOrConfigOfWhatIsNotLoadedIsAnError() throws Exception {
    for (String path : List.of("/v2/models/m/versions/9.9.9/stats", "/v2/models/nope/stats",
        "/v2/models/nope/config", "/v2/models/m/versions/9.9.9/config")) {
      HttpResponse<String> r = http.get(path);
      assertEquals(404, r.statusCode(), path);
      assertTrue(HttpTestClient.error(r).contains("not"), r.body());
    }
  }

  @Test
  void configIsTheProtobufJsonOfModelConfig() throws Exception {
    HttpResponse<String> r = http.get("/v2/models/m/config");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode c = json(r);
    assertEquals("m", c.get("name").asText());
    assertEquals(64, c.get("max_batch_size").intValue());
    JsonNode in = c.get("input").get(0);
    assertEquals("x", in.get("name").asText());
    assertEquals("TYPE_FP32", in.get("data_type").asText());
    assertEquals("[2]", in.get("dims").toString());
    assertEquals("[2]", c.get("output").get(0).get("dims").toString());
    assertEquals(0, c.get("dynamic_batching").get("max_queue_delay_microseconds").longValue());
    assertEquals("KIND_CPU", c.get("instance_group").get(0).get("kind").asText());
    assertEquals(json(r), json(http.get("/v2/models/m/versions/1.0.0/config")));
    assertFalse(c.has("maxBatchSize"));
  }

  @Test
  void serverMetadataListsTheImplementedExtensions() throws Exception {
    JsonNode ext = json(http.get("/v2")).get("extensions");
    List<String> got = new ArrayList<>();
    ext.forEach(e -> got.add(e.asText()));
    assertEquals(TritonExtensions.IMPLEMENTED, got);
  }
}
