package io.mlserve.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlserve.registry.IllegalTransitionException;
import io.mlserve.registry.UnauthenticatedException;
import io.mlserve.server.core.InferenceException;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP statuses: the twin of the gRPC transport's
 * {@code GrpcErrors} (and of the admin service's {@code AdminErrors}). Every error answer is
 * {@code {"error": "<message>"}}; a full queue or a full job table adds {@code Retry-After}.
 * Registry failures: a missing model or version is 404, an illegal stage transition 409 (the
 * message names the allowed ones), any other refused request 400, a missing or wrong admin
 * token 401, a store I/O failure 500 with its message. Stateless; thread-safe.
 */
final class HttpErrors {
  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

  /** Seconds a client is told to wait after a full queue. */
  static final String RETRY_AFTER_SECONDS = "1";

  private HttpErrors() {}

  /** The HTTP status for a model-layer failure. */
  static int statusFor(InferenceException.Kind kind) {
    return switch (kind) {
      case NOT_FOUND -> 404;
      case INVALID_ARGUMENT -> 400;
      case RESOURCE_EXHAUSTED -> 503;
      case DEADLINE_EXCEEDED -> 504;
      case UNAVAILABLE -> 503;
      case INTERNAL -> 500;
    };
  }

  /** The error answer for any failure of a request. */
  static HttpReply toReply(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof HttpStatusException hse) {
      return new HttpReply(hse.status(), HttpReply.JSON, body(hse.getMessage()), hse.headers());
    }
    if (e instanceof InferenceException ie) {
      HttpReply r = HttpReply.json(statusFor(ie.kind()), body(ie.getMessage()));
      return ie.kind() == InferenceException.Kind.RESOURCE_EXHAUSTED
          ? r.withHeader("Retry-After", RETRY_AFTER_SECONDS)
          : r;
    }
    if (e instanceof UnauthenticatedException) {
      return HttpReply.json(401, body(e.getMessage())).withHeader("WWW-Authenticate", "Bearer");
    }
    if (e instanceof NotFoundException) {
      return HttpReply.json(404, body(e.getMessage()));
    }
    if (e instanceof IllegalTransitionException) {
      return HttpReply.json(409, body(e.getMessage()));
    }
    if (e instanceof StoreException) {
      log.warn("store failure answering an HTTP request", e);
      return HttpReply.json(500, body("store failure: " + e.getMessage()));
    }
    if (e instanceof RejectedExecutionException) {
      return HttpReply.json(503, body("server busy: " + e.getMessage()))
          .withHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    if (e instanceof JsonProcessingException jpe) {
      return HttpReply.json(400, body("malformed JSON: " + jpe.getOriginalMessage()
          + location(jpe)));
    }
    if (e instanceof IllegalArgumentException) {
      return HttpReply.json(400, body(e.getMessage()));
    }
    if (e instanceof CancellationException) {
      return HttpReply.json(503, body("request cancelled"));
    }
    log.error("internal error answering an HTTP request", e);
    return HttpReply.json(500, body("internal error: " + e));
  }

  /** A reply with the given status and {@code {"error": message}}. */
  static HttpReply of(int status, String message, Map<String, String> headers) {
    return new HttpReply(status, HttpReply.JSON, body(message), headers);
  }

  static byte[] body(String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + message.length());
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("error", message);
      g.writeEndObject();
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return out.toByteArray();
  }

  private static String location(JsonProcessingException e) {
    var loc = e.getLocation();
    return loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
  }

  private static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException
            || e instanceof UncheckedIOException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
