package io.mlserve.server.http.route;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * A complete HTTP answer, independent of Netty: status, content type, body and extra headers.
 * The endpoint classes build these; the gateway turns them into Netty responses.
 *
 * <p>Immutable by contract (the body array is not copied); thread-safe once published.
 *
 * @param status the HTTP status code
 * @param contentType the Content-Type header, or null for an empty body
 * @param body the body bytes, never null
 * @param headers extra headers (Retry-After, Location, Allow), never null
 */
public record HttpReply(int status, String contentType, byte[] body, Map<String, String> headers) {
  public static final String JSON = "application/json";
  public static final String OCTET_STREAM = "application/octet-stream";
  public static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

  public HttpReply {
    Objects.requireNonNull(body, "body");
    headers = Map.copyOf(headers);
  }

  public static HttpReply json(int status, byte[] body) {
    return new HttpReply(status, JSON, body, Map.of());
  }

  public static HttpReply text(int status, String contentType, String body) {
    return new HttpReply(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  public HttpReply withHeader(String name, String value) {
    java.util.Map<String, String> h = new java.util.LinkedHashMap<>(headers);
    h.put(name, value);
    return new HttpReply(status, contentType, body, h);
  }
}
