package io.mlserve.server.http.route;

import java.util.Map;

/**
 * A refusal decided by the HTTP layer itself, not by the model layer: unknown route (404),
 * wrong method (405), unsupported media type (415), body too large (413), malformed request
 * (400). the gateway's error table (HttpErrors) turns it into a reply. Code outside the HTTP packages refuses with
 * typed exceptions instead (see {@code core.Failure}).
 *
 * <p>Immutable; thread-safe.
 */
public final class HttpStatusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient Map<String, String> headers;

  public HttpStatusException(int status, String message) {
    this(status, message, Map.of());
  }

  public HttpStatusException(int status, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.headers = Map.copyOf(headers);
  }

  public int status() {
    return status;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public static HttpStatusException badRequest(String message) {
    return new HttpStatusException(400, message);
  }
}
