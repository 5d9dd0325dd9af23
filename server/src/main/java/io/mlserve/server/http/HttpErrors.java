package io.mlserve.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlserve.errors.ClientText;
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
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP statuses: the twin of the gRPC transport's
 * {@code GrpcErrors} (and of the admin service's {@code AdminErrors}). Every error answer is
 * {@code {"error": "<message>"}}; a full queue or a full job table adds {@code Retry-After}.
 * Registry failures: a missing model or version is 404, an illegal stage transition 409 (the
 * message names the allowed ones), any other refused request 400, a missing or wrong admin
 * token 401, a store I/O failure 500 with its message and an error id.
 *
 * <p>No answer shows the server's insides: every message goes through {@link ClientText#scrub}
 * (no Java class or exception names, no server paths), and a failure nobody classified is
 * answered {@code internal error (error id ...)}, the id also in the log line that holds the
 * stack trace. Stateless; thread-safe.
 */
final class HttpErrors {
  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

  /** Jackson's advice to the server's programmer, cut from the messages a client sees. */
  private static final Pattern JACKSON_ADVICE =
      Pattern.compile(":? (?:enable|disable) `[^`]*` to allow|, from `[^`]*`");
  /** Jackson's "[Source: ...; line: 1, column: 12]". */
  private static final Pattern JACKSON_SOURCE =
      Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

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
      HttpReply r = HttpReply.json(statusFor(ie.kind()), body(message(ie)));
      return ie.kind() == InferenceException.Kind.RESOURCE_EXHAUSTED
          ? r.withHeader("Retry-After", RETRY_AFTER_SECONDS)
          : r;
    }
    if (e instanceof UnauthenticatedException) {
      return HttpReply.json(401, body(e.getMessage())).withHeader("WWW-Authenticate", "Bearer");
    }
    int status = statusFor(e);
    HttpReply r = HttpReply.json(status, body(message(e)));
    return e instanceof RejectedExecutionException
        ? r.withHeader("Retry-After", RETRY_AFTER_SECONDS)
        : r;
  }

  /**
   * The message a client is given for a failure, as {@link #toReply} words it; a failure the
   * server did not expect is logged here with the error id the message quotes.
   */
  static String message(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof InferenceException ie) {
      if (ie.kind() != InferenceException.Kind.INTERNAL) {
        return ie.getMessage();
      }
      String id = ClientText.newErrorId();
      log.error("error id {}: inference failed: {}", id, ie.getMessage(), ie.getCause());
      return ClientText.scrub(ie.getMessage(), "inference failed") + " (error id " + id + ")";
    }
    if (e instanceof StoreException && !(e instanceof NotFoundException)) {
      String id = ClientText.newErrorId();
      log.warn("error id {}: store failure answering an HTTP request", id, e);
      return "store failure: " + ClientText.scrub(e.getMessage(), "see the server log")
          + " (error id " + id + ")";
    }
    if (e instanceof RejectedExecutionException) {
      return "server busy; retry later";
    }
    if (e instanceof JsonProcessingException jpe) {
      return "malformed JSON: " + jsonProblem(jpe) + location(jpe);
    }
    if (e instanceof CancellationException) {
      return "request cancelled";
    }
    if (e instanceof HttpStatusException || e instanceof UnauthenticatedException
        || e instanceof NotFoundException || e instanceof IllegalTransitionException
        || e instanceof IllegalArgumentException) {
      return e.getMessage();
    }
    String id = ClientText.newErrorId();
    log.error("error id {}: internal error answering an HTTP request", id, e);
    return ClientText.internal(id);
  }

  /** The status of a failure that is neither an HTTP, a model-layer nor an auth refusal. */
  private static int statusFor(Throwable e) {
    if (e instanceof NotFoundException) {
      return 404;
    }
    if (e instanceof IllegalTransitionException) {
      return 409;
    }
    if (e instanceof RejectedExecutionException || e instanceof CancellationException) {
      return 503;
    }
    if (e instanceof JsonProcessingException || e instanceof IllegalArgumentException) {
      return 400;
    }
    return 500;
  }

  /**
   * Jackson's description of a JSON problem, without its advice to the server's programmer
   * ("enable `JsonReadFeature...` to allow", "from `StreamReadConstraints...`") and with its
   * source locations in plain words.
   */
  private static String jsonProblem(JsonProcessingException e) {
    String m = String.valueOf(e.getOriginalMessage());
    m = JACKSON_ADVICE.matcher(m).replaceAll("");
    return JACKSON_SOURCE.matcher(m).replaceAll("line $1, column $2");
  }

  /** A reply with the given status and {@code {"error": message}}. */
  static HttpReply of(int status, String message, Map<String, String> headers) {
    return new HttpReply(status, HttpReply.JSON, body(message), headers);
  }

  /**
   * The JSON error body; the message is {@linkplain ClientText#scrub scrubbed} of class names
   * and server paths whoever built it.
   */
  static byte[] body(String rawMessage) {
    String message = ClientText.scrub(rawMessage);
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
