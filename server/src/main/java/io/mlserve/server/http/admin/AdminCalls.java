package io.mlserve.server.http.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.registry.AdminAccess;
import io.mlserve.server.http.route.HttpCall;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.json.Json;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What every admin route shares: the {@link AdminAccess} token rule, the small bounded pool that
 * runs registry and run-store calls off the event loop (a full queue answers 503 with
 * Retry-After), and strict decoding of JSON bodies and query parameters. With
 * {@code enabled == false} (no registry) every call answers 404 saying so.
 *
 * <p>This class is thread-safe.
 */
final class AdminCalls implements AutoCloseable {
  static final int THREADS = 2;
  static final int QUEUE = 32;

  private final boolean enabled;
  private final AdminAccess access;
  private final ThreadPoolExecutor pool; // null when disabled

  AdminCalls(boolean enabled, String tokenOrNull) {
    this.enabled = enabled;
    this.access = new AdminAccess(tokenOrNull);
    this.pool = !enabled ? null : new ThreadPoolExecutor(THREADS, THREADS, 30,
        TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
          Thread t = new Thread(r, "mlserve-http-admin");
          t.setDaemon(true);
          return t;
        });
    if (pool != null) {
      pool.allowCoreThreadTimeOut(true);
    }
  }

  /** Applies the token rule to a mutation; returns the caller to record. */
  String authorize(HttpCall c) {
    enabled();
    access.checkMutation(c.headerAll(AdminAccess.AUTHORIZATION_HEADER));
    return AdminAccess.actor(c.header(AdminAccess.ACTOR_HEADER));
  }

  void enabled() {
    if (!enabled) {
      throw new HttpStatusException(404,
          "the admin API is not enabled on this server (no model registry configured)");
    }
  }

  /** A read: open to all, run on the pool. */
  CompletableFuture<HttpReply> read(Callable<HttpReply> work) {
    enabled();
    return offload(work);
  }

  /** A mutation already {@link #authorize authorized}, run on the pool. */
  CompletableFuture<HttpReply> write(Callable<HttpReply> work) {
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
  static JsonNode body(HttpCall c, Set<String> allowed) throws Exception {
    if (c.bodyLength() == 0) {
      return Json.MAPPER.createObjectNode();
    }
    try (InputStream in = c.body().get()) {
      return object(Json.MAPPER.readTree(in), allowed);
    }
  }

  /** {@code n} as a JSON object (missing: {}), refusing fields outside {@code allowed}. */
  static JsonNode object(JsonNode n, Set<String> allowed) {
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

  /** A string field: absent or null gives null; another type is a 400. */
  static String text(JsonNode body, String field) {
    JsonNode r = body.get(field);
    if (r == null || r.isNull()) {
      return null;
    }
    if (!r.isTextual()) {
      throw HttpStatusException.badRequest("field '" + field + "' must be a string");
    }
    return r.asText();
  }

  /** Absent: false; present without a value, "true" or "1": true; "false" or "0": false. */
  static boolean booleanParam(HttpCall c, String name) {
    String v = c.queryParam(name);
    if (v == null) {
      return false;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "", "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw HttpStatusException.badRequest(
          "'" + name + "' must be true or false, got '" + v + "'");
    };
  }

  static long longParam(HttpCall c, String name, long dflt) {
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
