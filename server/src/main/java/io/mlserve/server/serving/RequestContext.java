package io.mlserve.server.serving;

import java.util.Objects;

/**
 * What a transport knows about a request besides its model and inputs. Immutable; thread-safe.
 *
 * @param deadlineNanos ticker time after which the request is dropped, or {@code Long.MAX_VALUE}
 * @param transport the caller's transport, for metrics and traces ({@code grpc}, {@code http})
 * @param requestId the client's id for the request, or null (the server then assigns one)
 * @param routingKey the key that pins the caller to one arm of a traffic split, or null for a
 *     weighted random arm
 * @param idAssigned whether the server assigned {@code requestId} (the client sent none)
 */
public record RequestContext(
    long deadlineNanos, String transport, String requestId, String routingKey,
    boolean idAssigned) {
  /** Longest routing key or request id accepted, in characters. */
  public static final int MAX_KEY_LENGTH = 256;

  /** A context whose request id, if any, is the client's. */
  public RequestContext(
      long deadlineNanos, String transport, String requestId, String routingKey) {
    this(deadlineNanos, transport, requestId, routingKey, false);
  }

  public RequestContext {
    Objects.requireNonNull(transport, "transport");
    requestId = blankToNull(requestId);
    routingKey = blankToNull(routingKey);
    check("request id", requestId);
    check("routing key", routingKey);
  }

  /** A context with only a deadline and a transport. */
  public static RequestContext of(long deadlineNanos, String transport) {
    return new RequestContext(deadlineNanos, transport, null, null);
  }

  /** This context with another routing key. */
  public RequestContext withRoutingKey(String key) {
    return new RequestContext(deadlineNanos, transport, requestId, key, idAssigned);
  }

  /** This context with an id the server assigned. */
  public RequestContext withAssignedId(String id) {
    return new RequestContext(deadlineNanos, transport, id, routingKey, true);
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static void check(String what, String value) {
    if (value != null && value.length() > MAX_KEY_LENGTH) {
      throw io.mlserve.server.core.InferenceException.invalid(
          what + " is " + value.length() + " characters long; at most " + MAX_KEY_LENGTH
              + " are accepted");
    }
  }
}
