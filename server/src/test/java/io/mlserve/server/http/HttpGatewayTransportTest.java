package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.MAPPER;
import static io.mlserve.server.http.HttpTestClient.error;
import static io.mlserve.server.http.HttpTestClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.MlServer;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ModelRouter;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as an HTTP server: refusals with their status and a JSON error naming the problem,
 * 405, 413, keep-alive and pipelining, h2c.
 */
class HttpGatewayTransportTest extends GatewayIntegrationBase {
  @Test
  void badRequestsAreRefusedWithStatusAndNamedProblem() throws Exception {
    String row = inputRow(0).toString();
    String row23 = row.substring(0, row.lastIndexOf(',')) + "]";
    List<Bad> cases = List.of(
        new Bad("/api/v1/predict", "{\"model\":", "application/json", 400, "malformed JSON"),
        new Bad("/api/v1/predict", "", "application/json", 400, "empty"),
        new Bad("/api/v1/predict", "[1,2]", "application/json", 400, "JSON object"),
        new Bad("/api/v1/predict", "{\"input\":" + row + "}", "application/json", 400, "model"),
        new Bad("/api/v1/predict", "{\"model\":7,\"input\":" + row + "}", "application/json",
            400, "model", "string"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\"}", "application/json", 400,
            "input", "missing"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"input\":\"x\"}",
            "application/json", 400, "input", "array"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"input\":[1,\"a\",3]}",
            "application/json", 400, "input", "fp32", "string"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"input\":" + row23 + "}",
            "application/json", 400, "24", "23"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"input\":[" + row + ","
            + row23 + "]}", "application/json", 400, "ragged"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"inptu\":" + row + "}",
            "application/json", 400, "unknown field", "inptu"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"inputs\":{\"prices\":" + row
            + "}}", "application/json", 400, "prices", "curve"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"stage\":\"Archived\","
            + "\"input\":" + row + "}", "application/json", 400, "stage"),
        new Bad("/api/v1/predict", "{\"model\":\"nope\",\"input\":" + row + "}",
            "application/json", 404, "nope"),
        new Bad("/api/v1/predict", "{\"model\":\"" + MODEL + "\",\"version\":\"9.9.9\","
            + "\"input\":" + row + "}", "application/json", 404, "9.9.9"),
        new Bad("/api/v1/predict", predictBody(inputRow(0)), "text/plain", 415, "Content-Type",
            "application/json"),
        new Bad("/api/v1/batch", "{\"model\":\"" + MODEL + "\",\"instances\":[]}",
            "application/json", 400, "instances"),
        new Bad("/api/v1/batch", "{\"model\":\"" + MODEL + "\",\"instances\":" + row + "}",
            "application/json", 400, "instances", "[24]"),
        new Bad("/api/v1/batch", "{\"model\":\"" + MODEL + "\",\"instances\":[" + row23 + "]}",
            "application/json", 400, "24", "23"),
        new Bad("/v2/models/" + MODEL + "/infer", "{\"inputs\":[{\"name\":\"curve\","
            + "\"shape\":[1,24],\"datatype\":\"FP32\",\"data\":[1,2]}]}", "application/json",
            400, "24", "2"),
        new Bad("/v2/models/" + MODEL + "/infer", "{\"inputs\":[{\"name\":\"curve\","
            + "\"shape\":[1,24],\"datatype\":\"STRINGS\",\"data\":" + row + "}]}",
            "application/json", 400, "STRINGS"),
        new Bad("/v2/models/" + MODEL + "/infer", "{\"inputs\":[{\"name\":\"curve\","
            + "\"shape\":[1,24],\"datatype\":\"FP32\",\"data\":" + row + "}],"
            + "\"outputs\":[{\"name\":\"nonesuch\"}]}", "application/json", 400, "nonesuch",
            "forecast"),
        new Bad("/v2/models/" + MODEL + "/infer", "{}", "application/json", 400, "inputs"),
        new Bad("/api/v1/nothing", "{}", "application/json", 404, "/api/v1/nothing"));
    for (Bad c : cases) {
      HttpResponse<String> r = http.post(c.path, c.body, c.contentType);
      String what = c.path + " " + c.body + " -> " + r.statusCode() + " " + r.body();
      assertEquals(c.status, r.statusCode(), what);
      assertEquals("application/json", r.headers().firstValue("content-type").orElse(""), what);
      String msg = error(r).toLowerCase(Locale.ROOT);
      for (String w : c.words) {
        assertTrue(msg.contains(w.toLowerCase(Locale.ROOT)), what);
      }
    }
    // The model still serves after all of that.
    assertEquals(200, http.post("/api/v1/predict", predictBody(inputRow(0))).statusCode());
  }

  @Test
  void wrongMethodIs405WithAllow() throws Exception {
    HttpResponse<String> r = http.get("/api/v1/predict");
    assertEquals(405, r.statusCode());
    assertEquals("POST", r.headers().firstValue("allow").orElseThrow());
    assertTrue(error(r).contains("GET"));
    HttpResponse<String> d = http.delete("/healthz");
    assertEquals(405, d.statusCode());
    assertEquals("GET", d.headers().firstValue("allow").orElseThrow());
    assertEquals(404, http.get("/nothing/here").statusCode());
  }

  @Test
  void bodyOverTheLimitIs413WithJsonError() throws Exception {
    StringBuilder big = new StringBuilder("{\"model\":\"" + MODEL + "\",\"instances\":[");
    String row = inputRow(0).toString();
    while (big.length() <= MAX_BODY) {
      big.append(row).append(',');
    }
    big.append(row).append("]}");
    HttpResponse<String> r = http.post("/api/v1/batch", big.toString());
    assertEquals(413, r.statusCode());
    assertTrue(error(r).contains(String.valueOf(MAX_BODY)), r.body());
    // The connection pool and the server still work afterwards.
    assertEquals(200, http.post("/api/v1/predict", predictBody(inputRow(0))).statusCode());
  }

  @Test
  void oversizedBodyAnnouncedWithExpectContinueIs413WithJsonError() throws Exception {
    // curl sends Expect: 100-continue for bodies over 1 MiB; plain and as an h2c upgrade.
    for (String extra : new String[] {"", "Connection: Upgrade, HTTP2-Settings\r\n"
        + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n"}) {
      try (Socket s = new Socket("127.0.0.1", gateway.port())) {
        s.setSoTimeout(30_000);
        OutputStream out = s.getOutputStream();
        out.write(("POST /api/v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + extra + "Expect: 100-continue\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        RawResponse r = readResponse(new BufferedInputStream(s.getInputStream()));
        assertEquals(413, r.status(), extra + r.body());
        assertTrue(MAPPER.readTree(r.body()).get("error").asText()
            .contains(String.valueOf(MAX_BODY)), extra + r.body());
      }
    }
  }

  @Test
  void oversizedH2cUpgradeRequestIs413WithJsonError() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
          + "HTTP2-Settings: AAMAAABkAAQAAP__\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      RawResponse r = readResponse(new BufferedInputStream(s.getInputStream()));
      assertEquals(413, r.status(), r.body());
      assertTrue(MAPPER.readTree(r.body()).get("error").asText()
          .contains(String.valueOf(MAX_BODY)), r.body());
    }
  }

  @Test
  void keepAliveServesSeveralRequestsOnOneConnectionAndPipelinedInOrder() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      InputStream in = new BufferedInputStream(s.getInputStream());
      for (int i = 0; i < 3; i++) {
        out.write(rawPost(predictBody(inputRow(i))));
        out.flush();
        RawResponse r = readResponse(in);
        assertEquals(200, r.status(), r.body());
        assertRow(MAPPER.readTree(r.body()).get("output"), i);
      }
      // Pipelined: a slow batch, then quick requests; answers come back in request order.
      ByteArrayOutputStream burst = new ByteArrayOutputStream();
      burst.write(rawPost(MAPPER.createObjectNode().put("model", MODEL)
          .set("instances", instances(500)).toString(), "/api/v1/batch"));
      burst.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      burst.write(rawPost(predictBody(inputRow(5))));
      out.write(burst.toByteArray());
      out.flush();
      RawResponse first = readResponse(in);
      assertEquals(200, first.status());
      assertEquals(500, MAPPER.readTree(first.body()).get("predictions").size());
      RawResponse second = readResponse(in);
      assertTrue(second.body().contains("live"), second.body());
      RawResponse third = readResponse(in);
      assertRow(MAPPER.readTree(third.body()).get("output"), 5);
    }
  }

  @Test
  void h2cUpgradeServesHttp2() throws Exception {
    HttpTestClient h2 = new HttpTestClient(gateway.port(), HttpClient.Version.HTTP_2);
    HttpResponse<String> live = h2.get("/healthz");
    assertEquals(200, live.statusCode());
    assertEquals(HttpClient.Version.HTTP_2, live.version());
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(h2.postAsync("/api/v1/predict", predictBody(inputRow(i))));
    }
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = calls.get(i).get(60, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(HttpClient.Version.HTTP_2, r.version());
      assertRow(json(r).get("output"), i);
    }
  }

  /** Status and a fragment of the error message every bad request must produce. */
  record Bad(String path, String body, String contentType, int status, String... words) {}
}
