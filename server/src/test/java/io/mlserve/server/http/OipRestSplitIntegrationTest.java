package io.mlserve.server.http;

import static io.mlserve.server.http.HttpTestClient.error;
import static io.mlserve.server.http.HttpTestClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.registry.ArtifactValidator;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.store.EventLog;
import io.mlserve.store.ModelStore;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OIP REST infer ({@code POST /v2/models/{m}/infer}) under a 50/50 split of 1.0.0 and 1.0.1 set
 * by another registry on the store: the {@code routing_key} request parameter and the
 * {@code X-Mlserve-Routing-Key} header pin a caller to one version (the same one for the same
 * key), a non-string {@code routing_key} is a 400 naming it, and an explicit version route
 * bypasses the split.
 */
class OipRestSplitIntegrationTest extends GatewayIntegrationBase {
  private static final String INFER = "/v2/models/" + MODEL + "/infer";

  @BeforeAll
  static void split() throws Exception {
    try (EventLog log = EventLog.open(storeDir)) {
      new ModelRegistry(ModelStore.open(storeDir), log, ArtifactValidator.none(),
          Clock.systemUTC()).setTraffic(MODEL, Map.of("1.0.0", 50.0, "1.0.1", 50.0), "test",
              "a/b");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (server.router().arms(MODEL) == null && System.nanoTime() < deadline) {
      Thread.sleep(20); // bounded wait for the follower; not a correctness sleep
    }
    assertNotNull(server.router().arms(MODEL), "the split was applied within 60 s");
  }

  private static String body(String parameters) {
    return "{\"inputs\":[{\"name\":\"curve\",\"shape\":[1,24],\"datatype\":\"FP32\",\"data\":"
        + inputRow(3) + "}]" + (parameters == null ? "" : ",\"parameters\":" + parameters)
        + "}";
  }

  private static String keyParameter(String key) {
    return "{\"routing_key\":\"" + key + "\"}";
  }

  private static String version(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    JsonNode b = json(r);
    assertRow(b.get("outputs").get(0).get("data"), 3);
    return b.get("model_version").asText();
  }

  /** The one version 20 requests reached (fails if more than one). */
  private static String pinned(IntFunction<HttpResponse<String>> call, String what)
      throws Exception {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      seen.add(version(call.apply(i)));
    }
    assertEquals(1, seen.size(), what + " reached " + seen);
    return seen.iterator().next();
  }

  private static HttpResponse<String> post(String body, String... headers) {
    try {
      return http.post(INFER, body, headers);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void unkeyedRequestsReachBothVersions() throws Exception {
    Map<String, Integer> perVersion = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      perVersion.merge(version(post(body(null))), 1, Integer::sum);
    }
    assertEquals(Set.of("1.0.0", "1.0.1"), perVersion.keySet(), perVersion.toString());
  }

  @Test
  void theRoutingKeyParameterAndHeaderAreStickyAndAgree() throws Exception {
    Set<String> reached = new HashSet<>();
    for (int k = 0; k < 16; k++) {
      String key = "user-" + k;
      String byParameter = pinned(i -> post(body(keyParameter(key))), "parameter " + key);
      String byHeader = pinned(i -> post(body(null), "X-Mlserve-Routing-Key", key),
          "header " + key);
      assertEquals(byParameter, byHeader, "key " + key + " as parameter and as header");
      reached.add(byParameter);
    }
    assertEquals(Set.of("1.0.0", "1.0.1"), reached, "16 keys over a 50/50 split");
  }

  @Test
  void aRoutingKeyThatIsNotAStringIsABadRequestNamingIt() throws Exception {
    for (String p : new String[] {"{\"routing_key\":5}", "{\"routing_key\":true}",
        "{\"routing_key\":[\"a\"]}", "{\"routing_key\":{\"k\":\"a\"}}"}) {
      HttpResponse<String> r = post(body(p));
      assertEquals(400, r.statusCode(), p + ": " + r.body());
      assertTrue(error(r).contains("routing_key"), p + ": " + r.body());
      assertFalse(r.body().contains("Exception"), r.body());
    }
    HttpResponse<String> r = post(body("[\"routing_key\"]"));
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(error(r).contains("parameters"), r.body());
  }

  @Test
  void anExplicitVersionBypassesTheSplitAndTheIdIsEchoed() throws Exception {
    for (String v : new String[] {"1.0.0", "1.0.1"}) {
      for (int k = 0; k < 16; k++) {
        String key = "user-" + k;
        HttpResponse<String> r = http.post("/v2/models/" + MODEL + "/versions/" + v + "/infer",
            "{\"id\":\"req-" + k + "\"," + body(keyParameter(key)).substring(1),
            "X-Mlserve-Routing-Key", key);
        assertEquals(v, version(r), key);
        assertEquals("req-" + k, json(r).get("id").asText());
      }
    }
  }
}
