package io.mlserve.server.http.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.core.Failure;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.reload.ModelStatus;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import io.mlserve.store.Stage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy and approval routes, driven through the routes without a server: the token rule,
 * a bad policy as 400, the manual flow, and a promotion without approval as 409.
 */
class AdminApprovalsTest {
  private static final String TOKEN = "s3cret";
  private static final String M = "curve_forecaster";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private EventLog events;
  private ModelRegistry registry;
  private AdminApi api;
  private final Routes routes = new Routes();

  @BeforeEach
  void setUp() throws Exception {
    ModelStore store = ModelStore.open(dir);
    events = EventLog.open(store.root());
    registry = new ModelRegistry(store, events, ArtifactValidator.none(), Clock.systemUTC());
    RegisterRequest r = RegisterRequest.fromManifestFile(DemoModel.dir().resolve("model.json"),
        "alice");
    registry.register(r);
    api = new AdminApi(registry, Map::<String, ModelStatus>of, TOKEN);
    api.register(routes);
  }

  @AfterEach
  void tearDown() {
    api.close();
    events.close();
  }

  private HttpReply call(String method, String path, Map<String, String> params, String body,
      String token) throws Exception {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    HttpCall c = new HttpCall(method, path, params, "application/json", bytes.length,
        () -> new ByteArrayInputStream(bytes), Map.of(), h -> switch (h.toLowerCase()) {
          case "authorization" -> token == null ? null : "Bearer " + token;
          case "x-mlserve-actor" -> "bob";
          default -> null;
        });
    return routes.match(method, path).endpoint().handle(c).get(30, TimeUnit.SECONDS);
  }

  /** The code a failed call answers (thrown on the event loop, or by the pool). */
  private static Failure.Code failure(Executable e) {
    Throwable t = assertThrows(Exception.class, e::run);
    return Failure.of(t instanceof ExecutionException ? t.getCause() : t).code();
  }

  @FunctionalInterface
  private interface Executable {
    void run() throws Exception;
  }

  @Test
  void policyRoutesFollowTheTokenRuleAndNameTheFieldAtFault() throws Exception {
    String policyPath = "/api/v1/models/" + M + "/policy";
    Map<String, String> p = Map.of("model", M);
    String manual = "{\"mode\": \"manual\", \"datasets\": [\"holdout\"]}";
    assertEquals(Failure.Code.UNAUTHENTICATED, failure(() -> call("PUT", policyPath, p, manual,
        null)));
    Throwable bad = assertThrows(Exception.class, () -> call("PUT", policyPath, p,
        "{\"mode\": \"manual\", \"datasets\": [\"holdout\"], \"gates\": [{\"metric\": \"x\","
            + " \"max\": 1}]}", TOKEN));
    Failure f = Failure.of(bad);
    assertEquals(Failure.Code.INVALID_ARGUMENT, f.code());
    assertTrue(f.message().startsWith("gate x: 'direction' is required"), f.message());
    assertEquals(200, call("PUT", policyPath, p, manual, TOKEN).status());
    JsonNode shown = JSON.readTree(call("GET", policyPath, p, null, null).body());
    assertEquals("manual", shown.get("policy").get("mode").asText());
    assertEquals(Failure.Code.UNAUTHENTICATED, failure(() -> call("DELETE", policyPath, p, null,
        null)));
    assertTrue(JSON.readTree(call("DELETE", policyPath, p, null, TOKEN).body()).get("policy")
        .isNull());
  }

  @Test
  void manualFlowOverRest() throws Exception {
    String v = registry.store().versions(M).get(0);
    Map<String, String> p = Map.of("model", M, "version", v);
    String base = "/api/v1/models/" + M + "/versions/" + v;
    call("PUT", "/api/v1/models/" + M + "/policy", Map.of("model", M),
        "{\"mode\": \"manual\", \"datasets\": [\"holdout\"]}", TOKEN);
    registry.promote(M, v, Stage.STAGING, "alice", null);
    registry.approvals().beginEvaluation(M, v, "server");
    registry.approvals().recordEvaluation(M, v, "ev-1", Map.of("rmse", 0.1), null, "evaluator");
    assertEquals(Failure.Code.CONFLICT, failure(() -> call("POST", base + "/promote", p,
        "{\"stage\": \"Production\"}", TOKEN)));
    assertEquals(Failure.Code.UNAUTHENTICATED, failure(() -> call("POST", base + "/approve", p,
        "{\"comment\": \"ok\"}", null)));
    JsonNode a = JSON.readTree(call("POST", base + "/approve", p, "{\"comment\": \"ok\"}",
        TOKEN).body());
    assertEquals("APPROVED", a.get("state").asText());
    assertEquals("bob", a.get("decisions").get(0).get("actor").asText());
    assertEquals(200, call("POST", base + "/promote", p, "{\"stage\": \"Production\"}", TOKEN)
        .status());
    assertEquals(List.of("APPROVED"), List.of(JSON.readTree(call("GET", base + "/approval", p,
        null, null).body()).get("state").asText()));
    assertEquals(Failure.Code.CONFLICT, failure(() -> call("POST", base + "/reject", p,
        "{\"comment\": \"late\"}", TOKEN))); // in Production: roll back instead
  }
}
