package io.mlserve.server.http.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A last {@code {name...}} segment takes the rest of the path, never an empty segment. */
class RoutesRestTest {
  final Endpoint vendor = c -> CompletableFuture.completedFuture(null);
  final Endpoint files = c -> CompletableFuture.completedFuture(null);
  final Routes routes = new Routes().add("GET", "/ui/vendor/{file...}", vendor)
      .add("GET", "/ui/{file...}", files);

  @Test
  void theRestOfThePathIsOneParameter() {
    Routes.Match m = routes.match("GET", "/ui/a/b.js");
    assertEquals(files, m.endpoint());
    assertEquals("a/b.js", m.params().get("file"));
    Routes.Match v = routes.match("GET", "/ui/vendor/x.css");
    assertEquals(vendor, v.endpoint());
    assertEquals("x.css", v.params().get("file"));
  }

  @Test
  void anEmptySegmentOrNoRestDoesNotMatch() {
    assertEquals(404, assertThrows(HttpStatusException.class,
        () -> routes.match("GET", "/ui")).status());
    assertEquals(404, assertThrows(HttpStatusException.class,
        () -> routes.match("GET", "/ui/a//b.js")).status());
    assertEquals(405, assertThrows(HttpStatusException.class,
        () -> routes.match("POST", "/ui/a.js")).status());
  }
}
