package io.mlserve.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.registry.AdminAccess;
import io.mlserve.registry.CleanupResult;
import io.mlserve.registry.ModelRegistry;
import io.mlserve.server.reload.ModelStatus;
import io.mlserve.store.ModelStore;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.Stage;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The registry admin routes under {@code /api/v1/models} and {@code /api/v1/events}: a thin
 * REST face of {@link ModelRegistry}, the same operations as the admin gRPC service, under the
 * same {@link AdminAccess} rule (mutations need the bearer token when one is configured; the
 * caller recorded in history is {@code X-Mlserve-Actor} or "anonymous").
 *
 * <p>Registry calls read and write files, so they never run on an event loop: the request is
 * checked and its body parsed there, then the call is handed to a small bounded pool; a full
 * pool answers 503 with Retry-After. Without a registry every admin route answers 404 saying so.
 *
 * <p>Registration is not offered here (gRPC {@code Register} and {@code mlctl register} stream
 * artifacts of any size). This class is thread-safe.
 */
final class AdminApi implements AutoCloseable {
  static final int THREADS = 2;
  static final int QUEUE = 32;

  private final ModelRegistry registry; // null: admin routes disabled
  private final ModelStore store;
  private final Supplier<Map<String, ModelStatus>> statuses;
  private final AdminAccess access;
  private final ThreadPoolExecutor pool;

  /**
   * @param registry null when this gateway has no registry (the routes answer 404)
   * @param statuses the reload coordinator's per-model status
   * @param tokenOrNull the admin token; null or blank: mutations are open
   */
  AdminApi(ModelRegistry registry, Supplier<Map<String, ModelStatus>> statuses,
      String tokenOrNull) {
    this.registry = registry;
    this.store = registry == null ? null : registry.store();
    this.statuses = Objects.requireNonNull(statuses, "statuses");
    this.access = new AdminAccess(tokenOrNull);
    this.pool = registry == null ? null : new ThreadPoolExecutor(THREADS, THREADS, 30,
        TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
          Thread t = new Thread(r, "mlserve-http-admin");
          t.setDaemon(true);
          return t;
        });
    if (pool != null) {
      pool.allowCoreThreadTimeOut(true);
    }
  }

  void register(Routes routes) {
    String m = "/api/v1/models";
    routes
        .add("GET", m, c -> read(() -> AdminJson.models(store, store.modelNames())))
        .add("POST", m + "/cleanup", this::cleanup)
        .add("GET", m + "/{model}", c -> read(() -> show(c.param("model"))))
        .add("GET", m + "/{model}/versions", c -> read(() -> AdminJson.versions(registry,
            c.param("model"))))
        .add("GET", m + "/{model}/versions/{version}", c -> read(() -> AdminJson.manifest(
            registry, c.param("model"), c.param("version"))))
        .add("GET", m + "/{model}/history", c -> read(() -> AdminJson.history(
            c.param("model"), registry.history(c.param("model")))))
        .add("POST", m + "/{model}/versions/{version}/promote", this::promote)
        .add("POST", m + "/{model}/versions/{version}/deprecate", c -> move(c, Move.DEPRECATE))
        .add("POST", m + "/{model}/versions/{version}/archive", c -> move(c, Move.ARCHIVE))
        .add("POST", m + "/{model}/versions/{version}/restore", c -> move(c, Move.RESTORE))
        .add("POST", m + "/{model}/rollback", this::rollback)
        .add("GET", "/api/v1/events", this::events);
  }

  private HttpReply show(String model) {
    if (!store.hasModel(model)) {
      throw NotFoundException.model(model);
    }
    return AdminJson.model(registry, model, statuses.get().get(model));
  }

  private CompletableFuture<HttpReply> events(HttpCall c) {
    long since = longParam(c, "since", 0);
    int limit = (int) Math.min(longParam(c, "limit", 1000), 10_000);
    if (limit <= 0) {
      throw HttpStatusException.badRequest("'limit' must be positive");
    }
    return read(() -> AdminJson.events(registry.events().readSince(Math.max(0, since)), limit));
  }

  private CompletableFuture<HttpReply> promote(HttpCall c) throws Exception {
    String actor = authorize(c);
    JsonNode body = body(c, Set.of("stage", "reason"));
    JsonNode stage = body.get("stage");
    if (stage == null || !stage.isTextual()) {
      throw HttpStatusException.badRequest(
          "field 'stage' is required: \"Staging\" or \"Production\"");
    }
    Stage target = Stage.parse(stage.asText());
    String reason = reason(body);
    return write(() -> AdminJson.transition(registry.promote(c.param("model"),
        c.param("version"), target, actor, reason)));
  }

  private enum Move { DEPRECATE, ARCHIVE, RESTORE }

  private CompletableFuture<HttpReply> move(HttpCall c, Move move) throws Exception {
    String actor = authorize(c);
    String reason = reason(body(c, Set.of("reason")));
    String model = c.param("model");
    String version = c.param("version");
    return write(() -> AdminJson.transition(switch (move) {
      case DEPRECATE -> registry.deprecate(model, version, actor, reason);
      case ARCHIVE -> registry.archive(model, version, actor, reason);
      case RESTORE -> registry.restore(model, version, actor, reason);
    }));
  }

  private CompletableFuture<HttpReply> rollback(HttpCall c) throws Exception {
    String actor = authorize(c);
    String reason = reason(body(c, Set.of("reason")));
    return write(() -> AdminJson.transition(registry.rollback(c.param("model"), actor, reason)));
  }

  private CompletableFuture<HttpReply> cleanup(HttpCall c) throws Exception {
    String actor = authorize(c);
    body(c, Set.of());
    boolean dryRun = booleanParam(c, "dry_run");
    String model = c.queryParam("model");
    return write(() -> {
      CleanupResult r = registry.cleanup(model, dryRun, actor);
      return AdminJson.cleanup(r);
    });
  }

  /** Applies the token rule; returns the caller to record. */
  private String authorize(HttpCall c) {
    enabled();
    access.checkMutation(c.header(AdminAccess.AUTHORIZATION_HEADER));
    return AdminAccess.actor(c.header(AdminAccess.ACTOR_HEADER));
  }

  private void enabled() {
    if (registry == null) {
      throw new HttpStatusException(404,
          "the admin API is not enabled on this server (no model registry configured)");
    }
  }

  private CompletableFuture<HttpReply> read(Callable<HttpReply> work) {
    enabled();
    return offload(work);
  }

  private CompletableFuture<HttpReply> write(Callable<HttpReply> work) {
    return offload(work);
  }

  private CompletableFuture<HttpReply> offload(Callable<HttpReply> work) {
    CompletableFuture<HttpReply> out = new CompletableFuture<>();
    try {
      pool.execute(() -> {
        if (out.isDone()) {
          return; // the client went away while queued
        }
        try {
          out.complete(work.call());
        } catch (Throwable t) {
          out.completeExceptionally(t);
        }
      });
    } catch (RejectedExecutionException e) {
      throw new RejectedExecutionException(
          "too many admin calls queued (" + QUEUE + "); retry shortly", e);
    }
    return out;
  }

  /** The request's JSON object (empty body: {}), refusing fields outside {@code allowed}. */
  private static JsonNode body(HttpCall c, Set<String> allowed) throws Exception {
    if (c.bodyLength() == 0) {
      return Json.MAPPER.createObjectNode();
    }
    JsonNode n;
    try (InputStream in = c.body().get()) {
      n = Json.MAPPER.readTree(in);
    }
    if (n == null || n.isMissingNode()) {
      return Json.MAPPER.createObjectNode();
    }
    if (!n.isObject()) {
      throw HttpStatusException.badRequest("the body must be a JSON object");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw HttpStatusException.badRequest("unknown field '" + f + "'"
            + (allowed.isEmpty() ? "; this call takes no body fields"
                : "; allowed: " + String.join(", ", allowed.stream().sorted().toList())));
      }
    }
    return n;
  }

  private static String reason(JsonNode body) {
    JsonNode r = body.get("reason");
    if (r == null || r.isNull()) {
      return null;
    }
    if (!r.isTextual()) {
      throw HttpStatusException.badRequest("field 'reason' must be a string");
    }
    return r.asText();
  }

  /** Absent: false; present without a value, "true" or "1": true; "false" or "0": false. */
  private static boolean booleanParam(HttpCall c, String name) {
    String v = c.queryParam(name);
    if (v == null) {
      return false;
    }
    return switch (v.toLowerCase(java.util.Locale.ROOT)) {
      case "", "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw HttpStatusException.badRequest(
          "'" + name + "' must be true or false, got '" + v + "'");
    };
  }

  private static long longParam(HttpCall c, String name, long dflt) {
    String v = c.queryParam(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw HttpStatusException.badRequest("'" + name + "' must be an integer, got '" + v + "'");
    }
  }

  /**
   * Stops the pool after the calls already handed to it (the gateway closes this once requests
   * in flight are answered, so normally none are left). A registry call is never interrupted:
   * its file writes are atomic but an interrupt would close the channels under them.
   */
  @Override
  public void close() {
    if (pool == null) {
      return;
    }
    pool.shutdown();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
