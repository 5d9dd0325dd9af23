package io.mlserve.server.http.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import io.mlserve.server.triton.RepositoryEntry;
import io.mlserve.server.triton.RepositoryService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Triton's model repository extension over REST: {@code POST /v2/repository/index} (body
 * {@code {"ready": bool}}, optional) answers the index as a JSON array of
 * {@code {"name", "version", "state", "reason"}}; {@code POST
 * /v2/repository/models/{m}/load} and {@code .../unload} (body {@code {"parameters": {...}}},
 * optional) answer 200 with an empty body. Load and unload need the admin token when one is
 * configured, as every admin mutation ({@link AdminCalls}); the index is open. What the calls
 * mean on the registry is {@link RepositoryService}'s; every call runs on the admin pool.
 *
 * <p>This class is thread-safe.
 */
public final class AdminRepository implements AutoCloseable {
  private final RepositoryService repository;
  private final AdminCalls calls;

  /** @param tokenOrNull the admin token load and unload need; null or blank: none */
  public AdminRepository(RepositoryService repository, String tokenOrNull) {
    this.repository = Objects.requireNonNull(repository, "repository");
    this.calls = new AdminCalls(true, tokenOrNull);
  }

  public void register(Routes routes) {
    routes.add("POST", "/v2/repository/index", this::index)
        .add("POST", "/v2/repository/models/{model}/load", c -> change(c, true))
        .add("POST", "/v2/repository/models/{model}/unload", c -> change(c, false));
  }

  private CompletableFuture<HttpReply> index(HttpCall c) throws Exception {
    JsonNode ready = AdminCalls.body(c, Set.of("ready")).get("ready");
    if (ready != null && !ready.isNull() && !ready.isBoolean()) {
      throw HttpStatusException.badRequest("field 'ready' must be true or false");
    }
    boolean readyOnly = ready != null && ready.asBoolean();
    return calls.read(() -> {
      List<RepositoryEntry> entries = repository.index(readyOnly);
      return HttpReply.json(200, Json.write(g -> {
        g.writeStartArray();
        for (RepositoryEntry e : entries) {
          g.writeStartObject();
          g.writeStringField("name", e.name());
          g.writeStringField("version", e.version());
          g.writeStringField("state", e.state());
          g.writeStringField("reason", e.reason());
          g.writeEndObject();
        }
        g.writeEndArray();
      }));
    });
  }

  private CompletableFuture<HttpReply> change(HttpCall c, boolean load) throws Exception {
    calls.authorize(c);
    Map<String, Object> params = parameters(AdminCalls.body(c, Set.of("parameters"))
        .get("parameters"));
    String model = c.param("model");
    return calls.write(() -> {
      if (load) {
        repository.load(model, params);
      } else {
        repository.unload(model, params);
      }
      return HttpReply.json(200, new byte[0]);
    });
  }

  /** The request's parameters: booleans, integers and strings, as gRPC's would decode. */
  private static Map<String, Object> parameters(JsonNode n) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      throw HttpStatusException.badRequest("field 'parameters' must be a JSON object");
    }
    for (var e : (Iterable<Map.Entry<String, JsonNode>>) n::fields) {
      JsonNode v = e.getValue();
      if (v.isBoolean()) {
        out.put(e.getKey(), v.booleanValue());
      } else if (v.isIntegralNumber() && v.canConvertToLong()) {
        out.put(e.getKey(), v.longValue());
      } else if (v.isTextual()) {
        out.put(e.getKey(), v.textValue());
      } else {
        throw HttpStatusException.badRequest("parameter '" + e.getKey()
            + "' must be a boolean, an integer or a string");
      }
    }
    return out;
  }

  /** Stops the pool after the calls already handed to it. */
  @Override
  public void close() {
    calls.close();
  }
}
