package io.mlserve.server.http.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.experiments.Run;
import io.mlserve.experiments.RunStore;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Experiment runs under {@code /api/v1/models/{model}/runs}: thin over {@link RunStore}, as the
 * admin gRPC run RPCs are (create, log a param or a metric point, end, list, show), plus
 * {@code compare}. Creating, logging and ending are mutations under the token rule; listing and
 * showing are open. Run artifacts are not uploaded here (gRPC {@code LogArtifact} streams them).
 *
 * <p>One difference of encoding, none of meaning: a param value is the JSON value sent
 * ({@code "value": 64} a number, {@code "value": "64"} a string), where gRPC, whose field is a
 * string, reads its text as JSON when it parses. Thread-safe.
 */
final class AdminRuns {
  private static final Set<String> CREATE = Set.of("name", "source", "tags", "params");
  private static final Set<String> PARAM = Set.of("key", "value");
  private static final Set<String> METRIC = Set.of("key", "value", "step");
  private static final Set<String> END = Set.of("status");

  private final RunStore runs; // null: disabled
  private final AdminCalls calls;

  AdminRuns(RunStore runs, AdminCalls calls) {
    this.runs = runs;
    this.calls = calls;
  }

  /** Adds the routes under {@code base} ({@code .../{model}/runs}). */
  void register(Routes routes, String base) {
    routes
        .add("GET", base, c -> calls.read(() -> AdminRunsJson.runs(c.param("model"),
            runs.list(c.param("model")))))
        .add("POST", base, this::create)
        .add("GET", base + "/compare", this::compare)
        .add("GET", base + "/{run}", c -> calls.read(() -> AdminRunsJson.run(200,
            runs.get(c.param("model"), c.param("run")))))
        .add("POST", base + "/{run}/params", this::logParam)
        .add("POST", base + "/{run}/metrics", this::logMetric)
        .add("POST", base + "/{run}/end", this::end);
  }

  /** Body (all optional): name, source, tags (strings), params (logged once created). */
  private CompletableFuture<HttpReply> create(HttpCall c) throws Exception {
    calls.authorize(c);
    JsonNode body = AdminCalls.body(c, CREATE);
    String name = AdminCalls.text(body, "name");
    String source = AdminCalls.text(body, "source");
    Map<String, String> tags = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : fields(body, "tags")) {
      if (!e.getValue().isTextual()) {
        throw HttpStatusException.badRequest("tag '" + e.getKey() + "' must be a string");
      }
      tags.put(e.getKey(), e.getValue().asText());
    }
    Map<String, Object> params = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : fields(body, "params")) {
      params.put(e.getKey(), Json.MAPPER.treeToValue(e.getValue(), Object.class));
    }
    String model = c.param("model");
    return calls.write(() -> {
      Run r = runs.create(model, name, source, tags);
      for (Map.Entry<String, Object> p : params.entrySet()) {
        r = runs.logParam(model, r.runId(), p.getKey(), p.getValue());
      }
      return AdminRunsJson.run(201, r).withHeader("Location", "/api/v1/models/"
          + encode(model) + "/runs/" + encode(r.runId()));
    });
  }

  private CompletableFuture<HttpReply> logParam(HttpCall c) throws Exception {
    calls.authorize(c);
    JsonNode body = AdminCalls.body(c, PARAM);
    String key = required(body, "key");
    JsonNode v = body.get("value");
    if (v == null) {
      throw HttpStatusException.badRequest("field 'value' is required (any JSON value)");
    }
    Object value = Json.MAPPER.treeToValue(v, Object.class);
    return calls.write(() -> AdminRunsJson.run(200,
        runs.logParam(c.param("model"), c.param("run"), key, value)));
  }

  private CompletableFuture<HttpReply> logMetric(HttpCall c) throws Exception {
    calls.authorize(c);
    JsonNode body = AdminCalls.body(c, METRIC);
    String key = required(body, "key");
    JsonNode v = body.get("value");
    if (v == null || !v.isNumber()) {
      throw HttpStatusException.badRequest("field 'value' is required and must be a number");
    }
    JsonNode s = body.get("step");
    if (s != null && !s.isNull() && !s.canConvertToLong()) {
      throw HttpStatusException.badRequest("field 'step' must be an integer");
    }
    long step = s == null || s.isNull() ? 0 : s.asLong();
    double value = v.asDouble();
    return calls.write(() -> AdminRunsJson.run(200,
        runs.logMetric(c.param("model"), c.param("run"), key, value, step)));
  }

  /** Body: {@code status} FINISHED (the default), FAILED or KILLED. */
  private CompletableFuture<HttpReply> end(HttpCall c) throws Exception {
    calls.authorize(c);
    String status = AdminCalls.text(AdminCalls.body(c, END), "status");
    return calls.write(() -> AdminRunsJson.run(200,
        runs.end(c.param("model"), c.param("run"), status == null ? "" : status)));
  }

  /** {@code ?ids=a,b} (or {@code ids} repeated): two or more runs, as mlctl runs compare. */
  private CompletableFuture<HttpReply> compare(HttpCall c) {
    calls.enabled();
    List<String> ids = new ArrayList<>();
    for (String v : c.query().getOrDefault("ids", List.of())) {
      for (String id : v.split(",")) {
        if (!id.isBlank()) {
          ids.add(id.trim());
        }
      }
    }
    if (ids.size() < 2) {
      throw HttpStatusException.badRequest("give two or more run ids: ?ids=<run>,<run>");
    }
    String model = c.param("model");
    return calls.read(() -> {
      List<Run> out = new ArrayList<>();
      for (String id : ids) {
        out.add(runs.get(model, id));
      }
      return AdminRunsJson.compare(model, out);
    });
  }

  private static String required(JsonNode body, String field) {
    String v = AdminCalls.text(body, field);
    if (v == null) {
      throw HttpStatusException.badRequest("field '" + field + "' is required");
    }
    return v;
  }

  private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isObject()) {
      throw HttpStatusException.badRequest("field '" + field + "' must be a JSON object");
    }
    Iterator<Map.Entry<String, JsonNode>> it = n.fields();
    return () -> it;
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
