package io.mlserve.server.http.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.registry.cli.MlctlMain;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import io.mlserve.server.reload.ModelStatus;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One JSON shape for one concept: {@code mlctl --output json} and the REST admin routes answer
 * the same store with the same JSON (same keys, null for an absent value).
 */
class AdminJsonParityTest {
  private static final String M = "curve_forecaster";

  @TempDir Path dir;
  private EventLog events;
  private AdminApi api;
  private final Routes routes = new Routes();

  @BeforeEach
  void setUp() {
    ModelStore store = ModelStore.open(dir);
    events = EventLog.open(store.root());
    ModelRegistry registry =
        new ModelRegistry(store, events, ArtifactValidator.none(), Clock.systemUTC());
    RegisterRequest demo =
        RegisterRequest.fromManifestFile(DemoModel.dir().resolve("model.json"), "test");
    for (String v : List.of("1.0.0", "1.1.0")) {
      registry.register(new RegisterRequest(demo.model(), v, demo.artifact(), demo.format(),
          demo.signature(), demo.serving(), null, demo.params(), demo.metrics(),
          demo.description(), null, "test"));
    }
    registry.promote(M, "1.0.0", Stage.PRODUCTION, "alice", "first");
    api = new AdminApi(registry, Map::<String, ModelStatus>of, null);
    api.register(routes);
  }

  @AfterEach
  void tearDown() {
    api.close();
    events.close();
  }

  private JsonNode rest(String path, Map<String, List<String>> query) throws Exception {
    return rest("GET", path, query, "");
  }

  private JsonNode rest(String method, String path, Map<String, List<String>> query,
      String body) throws Exception {
    Routes.Match m = routes.match(method, path);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    HttpCall call = new HttpCall(method, path, m.params(),
        bytes.length == 0 ? null : "application/json", bytes.length,
        () -> new ByteArrayInputStream(bytes), query, h -> null);
    HttpReply reply = m.endpoint().handle(call).get(30, TimeUnit.SECONDS);
    assertEquals(200, reply.status(), new String(reply.body(), StandardCharsets.UTF_8));
    return Json.MAPPER.readTree(reply.body());
  }

  private JsonNode mlctl(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] all = Stream.concat(Stream.of("--store", dir.toString(), "--output", "json"),
        Stream.of(args)).toArray(String[]::new);
    int code = MlctlMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), all);
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    return Json.MAPPER.readTree(out.toByteArray());
  }

  @Test
  void modelsVersionsAndHistoryHaveOneShape() throws Exception {
    JsonNode list = mlctl("list");
    assertEquals(list, rest("/api/v1/models", Map.of()));
    JsonNode summary = list.get("models").get(0);
    assertEquals("1.0.0", summary.get("production").asText());
    assertTrue(summary.get("staging").isNull(), "absent is null, not \"\": " + summary);

    JsonNode show = mlctl("show", "--model", M);
    assertEquals(show, rest("/api/v1/models/" + M, Map.of()));
    assertTrue(show.get("versions").get(1).get("run_id").isNull(), show.toString());

    assertEquals(mlctl("history", "--model", M), rest("/api/v1/models/" + M + "/history",
        Map.of()));

    JsonNode staged = mlctl("promote", "--model", M, "--version", "1.1.0", "--stage",
        "Staging");
    assertTrue(staged.get("previous_version").isNull(), staged.toString());
    assertEquals(List.of("model", "version", "from_stage", "to_stage", "previous_version"),
        fieldNames(staged));
  }

  @Test
  void runsHaveOneShape() throws Exception {
    String a = mlctl("run", "create", "--model", M, "--name", "a").get("run_id").asText();
    JsonNode running = mlctl("run", "create", "--model", M);
    assertTrue(running.get("end_time").isNull() && running.get("name").isNull(),
        running.toString());
    String b = running.get("run_id").asText();
    mlctl("run", "log-param", "--model", M, "--run", a, "--key", "lr", "--value", "0.1");
    mlctl("run", "log-metric", "--model", M, "--run", a, "--key", "rmse", "--value", "0.5");
    mlctl("run", "end", "--model", M, "--run", a);

    String runs = "/api/v1/models/" + M + "/runs";
    assertEquals(mlctl("runs", "list", "--model", M), rest(runs, Map.of()));
    assertEquals(mlctl("runs", "show", "--model", M, a), rest(runs + "/" + a, Map.of()));
    assertEquals(mlctl("runs", "compare", "--model", M, a, b),
        rest(runs + "/compare", Map.of("ids", List.of(a + "," + b))));
  }

  @Test
  void theShadowRecordHasOneShape() throws Exception {
    String shadow = "/api/v1/models/" + M + "/shadow";
    JsonNode started = rest("PUT", shadow, Map.of(),
        "{\"version\":\"1.1.0\",\"sample\":0.5,\"reason\":\"compare\"}");
    assertEquals(started, mlctl("shadow", "status", "--model", M));
    assertEquals(List.of("model", "shadow", "seq", "actor", "reason"), fieldNames(started));
    assertEquals(List.of("version", "sample", "atol", "rtol", "started_at_ms", "actor",
        "reason"), fieldNames(started.get("shadow")));
    assertEquals("compare", started.at("/shadow/reason").asText());
    JsonNode stopped = mlctl("shadow", "stop", "--model", M);
    assertTrue(stopped.get("shadow").isNull(), stopped.toString());
    assertEquals(stopped, rest("DELETE", shadow, Map.of(), ""), "stopping none changes nothing");
  }

  private static List<String> fieldNames(JsonNode n) {
    java.util.ArrayList<String> names = new java.util.ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
