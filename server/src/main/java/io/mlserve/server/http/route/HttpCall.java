package io.mlserve.server.http.route;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One request as the endpoints see it, free of Netty types. The body stream is valid only while
 * {@link Endpoint#handle} runs: endpoints parse it synchronously (on the event loop, which is
 * cheap) and never keep it.
 *
 * <p>Not thread-safe; confined to the handling call.
 *
 * @param method upper-case method name
 * @param path the decoded path without the query, no trailing slash
 * @param pathParams values of the route's {@code {name}} segments
 * @param contentType the Content-Type header or null
 * @param bodyLength bytes in the body
 * @param body opens the body (a fresh stream over the same bytes each time)
 * @param query the decoded query parameters (empty when none)
 * @param headers a header's value by case-insensitive name, or null; valid, like the body,
 *     only while {@link Endpoint#handle} runs
 * @param headerValues every value of a header by case-insensitive name (empty when absent);
 *     valid as long as {@code headers}
 */
public record HttpCall(
    String method,
    String path,
    Map<String, String> pathParams,
    String contentType,
    int bodyLength,
    Supplier<InputStream> body,
    Map<String, List<String>> query,
    Function<String, String> headers,
    Function<String, List<String>> headerValues) {

  /** A call whose headers have at most one value each. */
  public HttpCall(String method, String path, Map<String, String> pathParams, String contentType,
      int bodyLength, Supplier<InputStream> body, Map<String, List<String>> query,
      Function<String, String> headers) {
    this(method, path, pathParams, contentType, bodyLength, body, query, headers, name -> {
      String v = headers.apply(name);
      return v == null ? List.of() : List.of(v);
    });
  }

  public String param(String name) {
    return pathParams.get(name);
  }

  /** The first value of a query parameter, or null. */
  public String queryParam(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** A header's (first) value, or null. */
  public String header(String name) {
    return headers.apply(name);
  }

  /** Every value of a header, in the order sent; empty when absent. */
  public List<String> headerAll(String name) {
    return headerValues.apply(name);
  }
}
