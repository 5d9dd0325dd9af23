package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.error;
import static io.mlserve.server.http.HttpTestClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.testing.ServerFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataset routes over loopback: PUT (token), GET one, GET the list, and refusals. */
class HttpAdminDatasetsIntegrationTest {
  static final String MODEL = "curve_forecaster";
  static final String TOKEN = "s3cret";
  static final String ROW = "{\"input\": [" + "1, ".repeat(23) + "1], \"label\": "
      + "[" + "2, ".repeat(23) + "2]}\n";

  @TempDir static Path storeDir;
  static ServerFixture fx;
  static HttpGateway gateway;
  static HttpTestClient http;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    fx = new ServerFixture(storeDir, m -> GuardPolicy.off(), false);
    fx.registerDemo("1.0.0", false);
    gateway = HttpGateway.builder(fx.server.inference(), fx.server.state())
        .options(HttpOptions.builder().bind("127.0.0.1").port(0).build())
        .admin(fx.registry, fx.server.coordinator()::statuses, TOKEN)
        .build();
    int port = gateway.start();
    http = new HttpTestClient(port);
    base = "http://127.0.0.1:" + port + "/api/v1/models/" + MODEL + "/datasets";
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    fx.close();
  }

  static HttpResponse<String> put(String name, String query, String body, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/" + name + query))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void putAddsWithTheTokenAndGetShowsAndLists() throws Exception {
    assertEquals(401, put("a", "?format=jsonl", ROW, null).statusCode());
    assertEquals(401, put("a", "?format=jsonl", ROW, "wrong").statusCode());
    HttpResponse<String> r = put("a", "?format=jsonl&description=two%20rows", ROW + ROW, TOKEN);
    assertEquals(201, r.statusCode(), r.body());
    assertEquals("/api/v1/models/" + MODEL + "/datasets/a",
        r.headers().firstValue("Location").orElse(null));
    JsonNode d = json(r);
    assertEquals(2, d.get("rows").asInt());
    assertEquals(24, d.get("label_width").asInt());
    assertEquals("two rows", d.get("description").asText());
    assertEquals("[24]", d.get("inputs").get(0).get("shape").toString());
    assertEquals(d, json(http.get("/api/v1/models/" + MODEL + "/datasets/a")));
    JsonNode list = json(http.get("/api/v1/models/" + MODEL + "/datasets"));
    assertEquals("a", list.get("datasets").get(0).get("name").asText(), list.toString());
  }

  @Test
  void refusalsCarryTheirStatusAndReason() throws Exception {
    assertEquals(201, put("b", "?format=jsonl", ROW, TOKEN).statusCode());
    HttpResponse<String> r = put("b", "?format=jsonl", ROW, TOKEN);
    assertEquals(409, r.statusCode(), r.body());
    assertEquals("dataset 'b' of model '" + MODEL + "' already exists; datasets are immutable:"
        + " add it under another name", error(r));
    r = put("c", "?format=jsonl", ROW + "{\"input\": [1], \"label\": 1}\n", TOKEN);
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("line 2: wrong length 1 for input 'curve' of shape [24]", error(r));
    r = put("c", "", ROW, TOKEN);
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("query parameter 'format' is required: jsonl, npz or csv", error(r));
    assertEquals(404, http.get("/api/v1/models/" + MODEL + "/datasets/c").statusCode());
    assertEquals(404, http.get("/api/v1/models/nope/datasets").statusCode());
    try (Stream<Path> s = Files.list(storeDir.resolve(MODEL).resolve("datasets"))) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")));
    }
  }
}
