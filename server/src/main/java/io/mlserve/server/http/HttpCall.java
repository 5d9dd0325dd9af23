package io.mlserve.server.http;

import java.io.InputStream;
import java.util.Map;
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
 */
record HttpCall(
    String method,
    String path,
    Map<String, String> pathParams,
    String contentType,
    int bodyLength,
    Supplier<InputStream> body) {

  String param(String name) {
    return pathParams.get(name);
  }
}
