package io.mlserve.server.http.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.UnaryOperator;

/**
 * Maps (method, path) to an {@link Endpoint}. Patterns are literal segments and {@code {name}}
 * segments, matched whole; a last segment {@code {name...}} takes the rest of the path (one or
 * more segments, joined by {@code /}, each non-empty), e.g. a static file under a prefix. A path that matches some route but not the method is a 405 naming the
 * allowed methods; a path that matches none is a 404.
 *
 * <p>Immutable once built; thread-safe.
 */
public final class Routes {
  private record Route(String method, String pattern, String[] segments, Endpoint endpoint,
      boolean binary) {}

  /**
   * A matched endpoint and the values of its path parameters; {@code binary}: the route also
   * takes an {@code application/octet-stream} body (others take JSON only).
   */
  public record Match(Endpoint endpoint, Map<String, String> params, boolean binary) {}

  private final List<Route> routes = new ArrayList<>();

  public Routes add(String method, String pattern, Endpoint endpoint) {
    routes.add(new Route(method, pattern, split(pattern), endpoint, false));
    return this;
  }

  /** As {@link #add}, for a route that takes JSON or an {@code application/octet-stream} body. */
  public Routes addBinary(String method, String pattern, Endpoint endpoint) {
    routes.add(new Route(method, pattern, split(pattern), endpoint, true));
    return this;
  }

  /**
   * Wraps the endpoint of every route added so far for which {@code which} holds (given its
   * method and pattern), e.g. to decorate an API's mutations.
   */
  public Routes decorate(BiPredicate<String, String> which, UnaryOperator<Endpoint> with) {
    for (int i = 0; i < routes.size(); i++) {
      Route r = routes.get(i);
      if (which.test(r.method, r.pattern)) {
        routes.set(i, new Route(r.method, r.pattern, r.segments, with.apply(r.endpoint),
            r.binary));
      }
    }
    return this;
  }

  /**
   * @throws HttpStatusException 404 for an unknown path, 405 (with Allow) for a wrong method
   */
  public Match match(String method, String path) {
    String[] segs = split(path);
    Set<String> allowed = new LinkedHashSet<>();
    for (Route r : routes) {
      Map<String, String> params = matchSegments(r.segments, segs);
      if (params == null) {
        continue;
      }
      if (r.method.equals(method)) {
        return new Match(r.endpoint, params, r.binary);
      }
      allowed.add(r.method);
    }
    if (allowed.isEmpty()) {
      throw new HttpStatusException(404, "no such endpoint: " + path);
    }
    String allow = String.join(", ", allowed);
    throw new HttpStatusException(
        405, "method " + method + " is not allowed on " + path + " (allowed: " + allow + ")",
        Map.of("Allow", allow));
  }

  private static Map<String, String> matchSegments(String[] pattern, String[] segs) {
    int last = pattern.length - 1;
    if (last >= 0 && pattern[last].endsWith("...}") && segs.length > last) {
      Map<String, String> head = matchSegments(java.util.Arrays.copyOf(pattern, last),
          java.util.Arrays.copyOf(segs, last));
      String[] rest = java.util.Arrays.copyOfRange(segs, last, segs.length);
      if (head == null || java.util.Arrays.stream(rest).anyMatch(String::isEmpty)) {
        return null;
      }
      Map<String, String> params = new HashMap<>(head);
      params.put(pattern[last].substring(1, pattern[last].length() - 4), String.join("/", rest));
      return params;
    }
    if (pattern.length != segs.length) {
      return null;
    }
    Map<String, String> params = null;
    for (int i = 0; i < pattern.length; i++) {
      String p = pattern[i];
      if (p.startsWith("{") && p.endsWith("}")) {
        if (segs[i].isEmpty()) {
          return null;
        }
        if (params == null) {
          params = new HashMap<>(4);
        }
        params.put(p.substring(1, p.length() - 1), segs[i]);
      } else if (!p.equals(segs[i])) {
        return null;
      }
    }
    return params == null ? Map.of() : params;
  }

  private static String[] split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }
}
