package io.mlserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.registry.IllegalTransitionException;
import io.mlserve.registry.InvalidRequestException;
import io.mlserve.registry.UnauthenticatedException;
import io.mlserve.server.core.InferenceException;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.StoreException;
import io.mlserve.server.core.InferenceException.Kind;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {
  @Test
  void everyKindHasItsStatusAndOnlyAFullQueueSaysRetryAfter() throws Exception {
    Map<Kind, Integer> want = Map.of(Kind.NOT_FOUND, 404, Kind.INVALID_ARGUMENT, 400,
        Kind.RESOURCE_EXHAUSTED, 503, Kind.DEADLINE_EXCEEDED, 504, Kind.UNAVAILABLE, 503,
        Kind.INTERNAL, 500);
    for (Kind k : Kind.values()) {
      HttpReply r = HttpErrors.toReply(
          new CompletionException(new InferenceException(k, "why \"quoted\"")));
      assertEquals(want.get(k), r.status(), k.toString());
      assertEquals("why \"quoted\"",
          new ObjectMapper().readTree(r.body()).get("error").asText());
      assertEquals("application/json", r.contentType());
      assertEquals(k == Kind.RESOURCE_EXHAUSTED, r.headers().containsKey("Retry-After"), k.name());
    }
  }

  @Test
  void transportRefusalsKeepTheirStatusAndHeaders() {
    HttpReply r = HttpErrors.toReply(
        new HttpStatusException(405, "no", Map.of("Allow", "GET")));
    assertEquals(405, r.status());
    assertEquals("GET", r.headers().get("Allow"));
    assertEquals(400, HttpErrors.toReply(new IllegalArgumentException("bad")).status());
    HttpReply internal = HttpErrors.toReply(new IllegalStateException("boom"));
    assertEquals(500, internal.status());
    assertTrue(new String(internal.body()).contains("boom"));
    assertFalse(internal.headers().containsKey("Retry-After"));
  }

  @Test
  void registryFailuresMapAsTheAdminGrpcServiceDoes() {
    assertEquals(404, HttpErrors.toReply(NotFoundException.model("m")).status());
    assertEquals(409, HttpErrors.toReply(new CompletionException(
        new IllegalTransitionException("allowed from Production: Deprecated"))).status());
    assertEquals(400, HttpErrors.toReply(new InvalidRequestException("bad version")).status());
    HttpReply unauth = HttpErrors.toReply(new UnauthenticatedException("invalid admin token"));
    assertEquals(401, unauth.status());
    assertEquals("Bearer", unauth.headers().get("WWW-Authenticate"));
    HttpReply store = HttpErrors.toReply(new StoreException("disk full"));
    assertEquals(500, store.status());
    assertTrue(new String(store.body()).contains("disk full"));
    HttpReply busy = HttpErrors.toReply(new RejectedExecutionException("queue full"));
    assertEquals(503, busy.status());
    assertEquals(HttpErrors.RETRY_AFTER_SECONDS, busy.headers().get("Retry-After"));
  }
}
