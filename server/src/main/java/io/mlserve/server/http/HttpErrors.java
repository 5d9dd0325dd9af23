package io.mlserve.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.mlserve.errors.ClientText;
import io.mlserve.server.bulk.BulkJobTooLargeException;
import io.mlserve.server.core.Failure;
import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;
import io.mlserve.server.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where failures become HTTP statuses: {@link Failure#of} classifies (the table the gRPC
 * transport shares), and this maps its code to a status in one switch; only what is HTTP's own
 * (an {@link HttpStatusException}, malformed JSON, a bulk job too large ever to admit: 413) is
 * worded here. Every error answer is {@code {"error": "<message>"}}; a full queue or a full job
 * table adds {@code Retry-After}, a missing token {@code WWW-Authenticate}. No answer shows the
 * server's insides (see {@link Failure}). Stateless; thread-safe.
 */
final class HttpErrors {
  /** Jackson's advice to the server's programmer, cut from the messages a client sees. */
  private static final Pattern JACKSON_ADVICE =
      Pattern.compile(":? (?:enable|disable) `[^`]*` to allow|, from `[^`]*`");
  /** Jackson's "[Source: ...; line: 1, column: 12]". */
  private static final Pattern JACKSON_SOURCE =
      Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

  /** Seconds a client is told to wait after a full queue. */
  static final String RETRY_AFTER_SECONDS = "1";

  private HttpErrors() {}

  /** The HTTP status for a failure's code (the twin of gRPC's one switch). */
  static int statusFor(Failure.Code code) {
    return switch (code) {
      case NOT_FOUND -> 404;
      case INVALID_ARGUMENT -> 400;
      case CONFLICT -> 409;
      case UNAUTHENTICATED -> 401;
      case RESOURCE_EXHAUSTED, UNAVAILABLE, CANCELLED -> 503;
      case DEADLINE_EXCEEDED -> 504;
      case INTERNAL -> 500;
    };
  }

  /** The error answer for any failure of a request. */
  static HttpReply toReply(Throwable t) {
    Throwable e = Failure.unwrap(t);
    if (e instanceof HttpStatusException hse) {
      return new HttpReply(hse.status(), HttpReply.JSON, body(hse.getMessage()), hse.headers());
    }
    if (e instanceof JsonProcessingException jpe) {
      return HttpReply.json(400, body(message(jpe)));
    }
    if (e instanceof BulkJobTooLargeException tooLarge) {
      return HttpReply.json(413, body(tooLarge.getMessage()));
    }
    Failure f = Failure.of(e);
    HttpReply r = HttpReply.json(statusFor(f.code()), body(f.message()));
    if (f.code() == Failure.Code.UNAUTHENTICATED) {
      r = r.withHeader("WWW-Authenticate", "Bearer");
    }
    return f.retryLater() ? r.withHeader("Retry-After", RETRY_AFTER_SECONDS) : r;
  }

  /**
   * The message a client is given for a failure, as {@link #toReply} words it; a failure the
   * server did not expect is logged with the error id the message quotes.
   */
  static String message(Throwable t) {
    Throwable e = Failure.unwrap(t);
    if (e instanceof HttpStatusException) {
      return ClientText.scrub(e.getMessage());
    }
    if (e instanceof JsonProcessingException jpe) {
      return "malformed JSON: " + jsonProblem(jpe) + location(jpe);
    }
    return Failure.of(e).message();
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

}
