package io.mlserve.server.triton.shm;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.registry.AdminAccess;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.http.route.Routes;
import io.mlserve.server.json.Json;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Triton's shared-memory extension over REST, in its documented shapes:
 * {@code GET /v2/systemsharedmemory[/region/{name}]/status} (a JSON array of
 * {@code {name, key, offset, byte_size}}), {@code POST /v2/systemsharedmemory/region/{name}/register}
 * (body {@code {key, offset, byte_size}}), {@code POST
 * /v2/systemsharedmemory[/region/{name}]/unregister}; and the CUDA routes of a server without
 * CUDA shared memory: status lists nothing, register answers 501, unregister has nothing to do.
 * Register and unregister follow the admin token rule ({@link AdminAccess}: with a token
 * configured they need {@code Authorization: Bearer <token>}); status is open. Refusals are
 * {@code {"error": ...}} with 400 (invalid, disabled, limit), 404 (unknown region) or 409
 * (name taken). Also reads the shared-memory parameters of an OIP JSON tensor
 * ({@link #ref}).
 *
 * <p>This class is thread-safe.
 */
public final class SharedMemoryRest {
  private static final Set<String> REGISTER_FIELDS = Set.of("key", "offset", "byte_size");

  private final SharedMemoryRegistry registry;
  private final AdminAccess access;

  /** @param tokenOrNull the admin token register/unregister need; null or blank: none */
  public SharedMemoryRest(SharedMemoryRegistry registry, String tokenOrNull) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.access = new AdminAccess(tokenOrNull);
  }

  public void register(Routes routes) {
    String sys = "/v2/systemsharedmemory";
    String cuda = "/v2/cudasharedmemory";
    routes
        .add("GET", sys + "/status", c -> status(""))
        .add("GET", sys + "/region/{name}/status", c -> status(c.param("name")))
        .add("POST", sys + "/region/{name}/register", this::registerRegion)
        .add("POST", sys + "/unregister", c -> unregister(c, ""))
        .add("POST", sys + "/region/{name}/unregister", c -> unregister(c, c.param("name")))
        .add("GET", cuda + "/status", c -> json(List.of()))
        .add("GET", cuda + "/region/{name}/status", c -> {
          throw new HttpStatusException(404, "CUDA shared memory region '" + c.param("name")
              + "' is not registered (this server has no CUDA shared memory)");
        })
        .add("POST", cuda + "/region/{name}/register", c -> {
          access.checkMutation(c.headerAll(AdminAccess.AUTHORIZATION_HEADER));
          throw new HttpStatusException(501, "CUDA shared memory is not supported by this "
              + "server; use system shared memory (/v2/systemsharedmemory)");
        })
        .add("POST", cuda + "/unregister", c -> cudaUnregister(c))
        .add("POST", cuda + "/region/{name}/unregister", c -> cudaUnregister(c));
  }

  /**
   * The shared-memory reference in an OIP JSON tensor's {@code parameters}, or null when it has
   * none; {@code parameters} may be null.
   *
   * @param what the tensor, for messages ({@code "input 'curve'"})
   */
  public static ShmRef ref(String what, JsonNode parameters) {
    if (parameters == null || parameters.isNull() || !parameters.isObject()) {
      return null;
    }
    JsonNode region = parameters.get(ShmRef.REGION);
    if (region != null && !region.isNull() && !region.isTextual()) {
      throw InferenceException.invalid(what + ": parameter " + ShmRef.REGION
          + " must be a string");
    }
    return ShmRef.of(what, region == null || region.isNull() ? null : region.asText(),
        integer(what, parameters, ShmRef.OFFSET), integer(what, parameters, ShmRef.BYTE_SIZE));
  }

  private static Long integer(String what, JsonNode parameters, String field) {
    JsonNode n = parameters.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw InferenceException.invalid(what + ": parameter " + field + " must be an integer");
    }
    return n.longValue();
  }

  private CompletableFuture<HttpReply> status(String name) {
    try {
      return json(registry.status(name));
    } catch (SharedMemoryException e) {
      throw refusal(e);
    }
  }

  private CompletableFuture<HttpReply> registerRegion(HttpCall c) throws Exception {
    access.checkMutation(c.headerAll(AdminAccess.AUTHORIZATION_HEADER));
    JsonNode body;
    try (InputStream in = c.body().get()) {
      body = c.bodyLength() == 0 ? null : Json.MAPPER.readTree(in);
    }
    if (body == null || !body.isObject()) {
      throw HttpStatusException.badRequest(
          "the body must be a JSON object {\"key\": ..., \"offset\": ..., \"byte_size\": ...}");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!REGISTER_FIELDS.contains(f)) {
        throw HttpStatusException.badRequest("unknown field '" + f + "'; allowed: byte_size, "
            + "key, offset");
      }
    }
    JsonNode key = body.get("key");
    if (key == null || !key.isTextual()) {
      throw HttpStatusException.badRequest("field 'key' must be a string");
    }
    long offset = number(body, "offset", true);
    long byteSize = number(body, "byte_size", false);
    try {
      registry.register(c.param("name"), key.asText(), offset, byteSize);
    } catch (SharedMemoryException e) {
      throw refusal(e);
    }
    return CompletableFuture.completedFuture(HttpReply.json(200, new byte[0]));
  }

  private static long number(JsonNode body, String field, boolean optional) {
    JsonNode n = body.get(field);
    if (n == null && optional) {
      return 0;
    }
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
      throw HttpStatusException.badRequest("field '" + field + "' must be a non-negative "
          + "integer");
    }
    return n.longValue();
  }

  private CompletableFuture<HttpReply> unregister(HttpCall c, String name) {
    access.checkMutation(c.headerAll(AdminAccess.AUTHORIZATION_HEADER));
    registry.unregister(name);
    return CompletableFuture.completedFuture(HttpReply.json(200, new byte[0]));
  }

  private CompletableFuture<HttpReply> cudaUnregister(HttpCall c) {
    access.checkMutation(c.headerAll(AdminAccess.AUTHORIZATION_HEADER));
    return CompletableFuture.completedFuture(HttpReply.json(200, new byte[0]));
  }

  private static CompletableFuture<HttpReply> json(List<RegionStatus> regions) {
    return CompletableFuture.completedFuture(HttpReply.json(200, Json.write(g -> {
      g.writeStartArray();
      for (RegionStatus r : regions) {
        g.writeStartObject();
        g.writeStringField("name", r.name());
        g.writeStringField("key", r.key());
        g.writeNumberField("offset", r.offset());
        g.writeNumberField("byte_size", r.byteSize());
        g.writeEndObject();
      }
      g.writeEndArray();
    })));
  }

  /** The HTTP refusal for a registry refusal. */
  static HttpStatusException refusal(SharedMemoryException e) {
    int status = switch (e.reason()) {
      case NOT_FOUND -> 404;
      case EXISTS -> 409;
      case UNIMPLEMENTED -> 501;
      case INVALID, LIMIT, DISABLED -> 400;
    };
    return new HttpStatusException(status, e.getMessage());
  }
}
