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
 * The real TorchScript demo model behind a real {@link HttpGateway} on a free loopback port:
 * answers must match the reference outputs committed with the model, and every kind of bad
 * request must be refused with its status and a JSON error naming the problem.
 */
class HttpGatewayIntegrationTest extends GatewayIntegrationBase {
  @Test
  void predictOneRowAnswersOneRow() throws Exception {
    HttpResponse<String> r = http.post("/api/v1/predict", predictBody(inputRow(0)));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
    JsonNode b = json(r);
    assertEquals(MODEL, b.get("model").asText());
    assertEquals("1.0.0", b.get("version").asText());
    assertTrue(b.get("output").get(0).isNumber(), "1-D answer for a 1-D input");
    assertRow(b.get("output"), 0);
  }

  @Test
  void predictSeveralRowsAnswersNestedRows() throws Exception {
    ArrayNode in = MAPPER.createArrayNode().add(inputRow(3)).add(inputRow(4)).add(inputRow(5));
    JsonNode out = json(http.post("/api/v1/predict", predictBody(in))).get("output");
    assertEquals(3, out.size());
    for (int i = 0; i < 3; i++) {
      assertRow(out.get(i), 3 + i);
    }
  }

  @Test
  void predictByVersionStageAndNamedInputs() throws Exception {
    String row = inputRow(7).toString();
    for (String extra : List.of("\"version\":\"1.0.0\"", "\"stage\":\"Production\"",
        "\"stage\":\"Staging\"")) {
      HttpResponse<String> r = http.post("/api/v1/predict",
          "{\"model\":\"" + MODEL + "\"," + extra + ",\"input\":" + row + "}");
      assertEquals(200, r.statusCode(), extra + ": " + r.body());
      assertRow(json(r).get("output"), 7);
    }
    HttpResponse<String> r = http.post("/api/v1/predict",
        "{\"inputs\":{\"curve\":[" + row + "]},\"model\":\"" + MODEL + "\"}");
    assertEquals(200, r.statusCode(), r.body());
    assertRow(json(r).get("outputs").get("forecast").get(0), 7);
  }

  @Test
  void batchOfThousandRowsAnswersInOrder() throws Exception {
    int n = 1000;
    String body = MAPPER.createObjectNode().put("model", MODEL)
        .set("instances", instances(n)).toString();
    HttpResponse<String> r = http.post("/api/v1/batch", body);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode preds = json(r).get("predictions");
    assertEquals(n, preds.size());
    for (int i = 0; i < n; i++) {
      assertRow(preds.get(i), i);
    }
  }

  @Test
  void asyncJobRunsToCompletionAndIsDeleted() throws Exception {
    int n = 300;
    ObjectNode body = MAPPER.createObjectNode().put("model", MODEL).put("async", true);
    body.set("instances", instances(n));
    HttpResponse<String> r = http.post("/api/v1/batch", body.toString());
    assertEquals(202, r.statusCode(), r.body());
    String location = r.headers().firstValue("location").orElseThrow();
    JsonNode accepted = json(r);
    assertEquals(location, accepted.get("location").asText());
    assertEquals(n, accepted.get("total").asInt());
    assertTrue(location.startsWith("/api/v1/batch/"), location);

    JsonNode status = pollUntilFinished(location);
    assertEquals("done", status.get("state").asText(), status.toString());
    assertEquals(n, status.get("processed").asInt());
    JsonNode preds = status.get("predictions");
    assertEquals(n, preds.size());
    for (int i = 0; i < n; i++) {
      assertRow(preds.get(i), i);
    }
    HttpResponse<String> d = http.delete(location);
    assertEquals(200, d.statusCode(), d.body());
    assertEquals(404, http.get(location).statusCode());
    assertEquals(404, http.delete(location).statusCode());
  }

  static JsonNode pollUntilFinished(String location) throws Exception {
    return JobPolling.poll(http, location);
  }

  @Test
  void restAndGrpcCallsToTheSameModelAgreeRowForRow() throws Exception {
    var grpc = GRPCInferenceServiceGrpc.newFutureStub(channel);
    int n = 64;
    List<ListenableFuture<ModelInferResponse>> viaGrpc = new ArrayList<>();
    List<CompletableFuture<HttpResponse<String>>> viaRest = new ArrayList<>();
    // Interleaved and concurrent, so REST and gRPC requests share the batcher's queue.
    for (int i = 0; i < n; i++) {
      InferTensorContents.Builder c = InferTensorContents.newBuilder();
      inputRow(i).forEach(v -> c.addFp32Contents(v.floatValue()));
      viaGrpc.add(grpc.modelInfer(ModelInferRequest.newBuilder().setModelName(MODEL)
          .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
              .addShape(1).addShape(24).setContents(c)).build()));
      viaRest.add(http.postAsync("/api/v1/predict", predictBody(inputRow(i))));
    }
    for (int i = 0; i < n; i++) {
      List<Float> g = viaGrpc.get(i).get(60, TimeUnit.SECONDS).getOutputs(0).getContents()
          .getFp32ContentsList();
      HttpResponse<String> r = viaRest.get(i).get(60, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode rest = json(r).get("output");
      assertEquals(g.size(), rest.size());
      for (int k = 0; k < g.size(); k++) {
        // Same inputs, same model; only the batch each row landed in may differ, which moves
        // the last bits of the float arithmetic, so agreement is to the model's tolerance.
        assertEquals(g.get(k), rest.get(k).doubleValue(), TOL, "row " + i + " element " + k);
      }
      assertRow(rest, i);
    }
  }

  @Test
  void oipInferWithFlatAndNestedDataMatchesReference() throws Exception {
    ArrayNode flat = MAPPER.createArrayNode();
    for (int r = 0; r < 2; r++) {
      inputRow(10 + r).forEach(flat::add);
    }
    String body = "{\"id\":\"abc\",\"inputs\":[{\"name\":\"curve\",\"shape\":[2,24],"
        + "\"datatype\":\"FP32\",\"data\":" + flat + "}],\"outputs\":[{\"name\":\"forecast\"}]}";
    for (String path : List.of("/v2/models/" + MODEL + "/infer",
        "/v2/models/" + MODEL + "/versions/1.0.0/infer")) {
      HttpResponse<String> r = http.post(path, body);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode b = json(r);
      assertEquals(MODEL, b.get("model_name").asText());
      assertEquals("1.0.0", b.get("model_version").asText());
      assertEquals("abc", b.get("id").asText());
      JsonNode out = b.get("outputs").get(0);
      assertEquals("forecast", out.get("name").asText());
      assertEquals("FP32", out.get("datatype").asText());
      assertEquals("[2,24]", out.get("shape").toString());
      JsonNode data = out.get("data");
      assertEquals(48, data.size());
      for (int r2 = 0; r2 < 2; r2++) {
        ArrayNode row = MAPPER.createArrayNode();
        for (int i = 0; i < 24; i++) {
          row.add(data.get(r2 * 24 + i));
        }
        assertRow(row, 10 + r2);
      }
    }
    String nested = "{\"inputs\":[{\"name\":\"curve\",\"shape\":[1,24],\"datatype\":\"FP32\","
        + "\"data\":[" + inputRow(12) + "]}]}";
    HttpResponse<String> r = http.post("/v2/models/" + MODEL + "/infer", nested);
    assertEquals(200, r.statusCode(), r.body());
    // No id given: the server assigns one (feedback joins on it).
    assertTrue(json(r).get("id").asText().matches("[0-9a-f]{12}-[0-9a-z]+"), r.body());
    assertRow(json(r).get("outputs").get(0).get("data"), 12);
  }

  @Test
  void oipMetadataAndHealth() throws Exception {
    JsonNode server = json(http.get("/v2"));
    assertEquals("mlserve", server.get("name").asText());
    assertEquals("test-version", server.get("version").asText());
    assertEquals(200, http.get("/v2/health/live").statusCode());
    assertEquals(200, http.get("/v2/health/ready").statusCode());
    for (String path : List.of("/v2/models/" + MODEL, "/v2/models/" + MODEL + "/versions/1.0.0")) {
      HttpResponse<String> r = http.get(path);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode md = json(r);
      assertEquals(MODEL, md.get("name").asText());
      assertEquals("[\"1.0.0\",\"1.0.1\"]", md.get("versions").toString());
      assertEquals("pytorch_libtorch", md.get("platform").asText());
      assertEquals("curve", md.get("inputs").get(0).get("name").asText());
      assertEquals("[-1,24]", md.get("inputs").get(0).get("shape").toString());
      assertEquals("forecast", md.get("outputs").get(0).get("name").asText());
    }
    HttpResponse<String> ready = http.get("/v2/models/" + MODEL + "/ready");
    assertEquals(200, ready.statusCode());
    assertTrue(json(ready).get("ready").asBoolean());
    assertEquals(200, http.get("/v2/models/" + MODEL + "/versions/1.0.0/ready").statusCode());
    HttpResponse<String> missing = http.get("/v2/models/nope");
    assertEquals(404, missing.statusCode());
    assertTrue(error(missing).contains("nope"));
    assertEquals(404, http.get("/v2/models/" + MODEL + "/versions/9.9.9/ready").statusCode());
  }

  @Test
  void healthzReadyzAndMetrics() throws Exception {
    HttpResponse<String> live = http.get("/healthz");
    assertEquals(200, live.statusCode());
    HttpResponse<String> ready = http.get("/readyz");
    assertEquals(200, ready.statusCode(), ready.body());
    JsonNode r = json(ready);
    assertTrue(r.get("ready").asBoolean());
    assertEquals(MODEL, r.get("models").get(0).get("name").asText());
    assertEquals("1.0.0", r.get("models").get(0).get("version").asText());
    assertEquals("ready", r.get("models").get(0).get("status").asText());
    JsonNode workers = r.get("models").get(0).get("instances").get(0);
    assertEquals("1.0.0", workers.get("version").asText());
    assertEquals(workers.get("min").asInt(), workers.get("instances").asInt(), workers.toString());
    assertTrue(workers.get("max").asInt() >= workers.get("min").asInt(), workers.toString());
    HttpResponse<String> metrics = http.get("/metrics");
    assertEquals(200, metrics.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8",
        metrics.headers().firstValue("content-type").orElseThrow());
    assertTrue(metrics.body().contains("mlserve_up 1"));
  }

}
