package io.mlserve.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.http.route.HttpReply;
import io.mlserve.server.http.route.HttpStatusException;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.registry.IllegalTransitionException;
import io.mlserve.registry.InvalidRequestException;
import io.mlserve.registry.UnauthenticatedException;
import io.mlserve.server.bulk.BulkJobs;
import io.mlserve.server.core.ErrorCases;
import io.mlserve.server.core.Failure;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.testing.FakeTicker;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.StoreException;
import io.mlserve.server.core.InferenceException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {
  /** The shared table's cases, over HTTP: the same meaning and words as over gRPC. */
  @Test
  void everySharedCaseHasItsStatusAndMessage() throws Exception {
    Map<Failure.Code, Integer> want = Map.of(Failure.Code.NOT_FOUND, 404,
        Failure.Code.INVALID_ARGUMENT, 400, Failure.Code.CONFLICT, 409,
        Failure.Code.UNAUTHENTICATED, 401, Failure.Code.RESOURCE_EXHAUSTED, 503,
        Failure.Code.DEADLINE_EXCEEDED, 504, Failure.Code.CANCELLED, 503,
        Failure.Code.UNAVAILABLE, 503, Failure.Code.INTERNAL, 500);
    for (ErrorCases.Case c : ErrorCases.all()) {
      HttpReply r = HttpErrors.toReply(c.failure());
      assertEquals(want.get(c.code()), r.status(), c.name());
      String error = new ObjectMapper().readTree(r.body()).get("error").asText();
      assertTrue(error.matches(c.message()), c.name() + ": " + error);
      assertEquals(c.code() == Failure.Code.RESOURCE_EXHAUSTED,
          r.headers().containsKey("Retry-After"), c.name());
    }
  }

  @Test
  void everyKindHasItsStatusAndOnlyAFullQueueSaysRetryAfter() throws Exception {
    Map<Kind, Integer> want = Map.of(Kind.NOT_FOUND, 404, Kind.INVALID_ARGUMENT, 400,
        Kind.RESOURCE_EXHAUSTED, 503, Kind.DEADLINE_EXCEEDED, 504, Kind.UNAVAILABLE, 503,
        Kind.INTERNAL, 500);
    for (Kind k : Kind.values()) {
      HttpReply r = HttpErrors.toReply(
          new CompletionException(new InferenceException(k, "why \"quoted\"")));
      assertEquals(want.get(k), r.status(), k.toString());
      String error = new ObjectMapper().readTree(r.body()).get("error").asText();
      if (k == Kind.INTERNAL) {
        assertTrue(error.matches("why \"quoted\" \\(error id [0-9a-f]{16}\\)"), error);
      } else {
        assertEquals("why \"quoted\"", error);
      }
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
    HttpReply internal = HttpErrors.toReply(new IllegalStateException("boom at /srv/x/y"));
    assertEquals(500, internal.status());
    String body = new String(internal.body());
    assertTrue(body.matches("\\{\"error\":\"internal error \\(error id [0-9a-f]{16}; the "
        + "server log has the details\\)\"}"), body);
    assertFalse(internal.headers().containsKey("Retry-After"));
  }

  @Test
  void aBulkJobTooLargeEverToAdmitIs413WithItsMessage() throws Exception {
    BulkJobs jobs = new BulkJobs(4, 1024 * 1024, 1, new FakeTicker());
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> jobs.add(3L * 1024 * 1024, id -> null));
    HttpReply r = HttpErrors.toReply(new CompletionException(e));
    assertEquals(413, r.status());
    assertEquals("a bulk job of about 3.0 MiB exceeds the bulk-job memory limit of 1.0 MiB",
        new ObjectMapper().readTree(r.body()).get("error").asText());
    assertFalse(r.headers().containsKey("Retry-After"));
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
    assertTrue(new String(store.body()).matches(
        "\\{\"error\":\"store failure: disk full \\(error id [0-9a-f]{16}\\)\"}"));
    HttpReply busy = HttpErrors.toReply(new RejectedExecutionException("queue full"));
    assertEquals(503, busy.status());
    assertEquals(HttpErrors.RETRY_AFTER_SECONDS, busy.headers().get("Retry-After"));
  }

  @Test
  void noAnswerShowsExceptionNamesOrServerPaths() throws Exception {
    Path store = Files.createTempDirectory("store");
    try {
      String path = store.resolve("m/versions/1.0.0/model.pt").toString();
      List<Throwable> failures = List.of(
          new StoreException("store operation failed: java.io.IOException: No space left on "
              + "device", new java.io.IOException("No space left on device")),
          new StoreException("cannot write " + path + ": java.nio.file.AccessDeniedException: "
              + path),
          new InvalidRequestException("validation of m:1.0.0 failed: m 1.0.0: load failed: "
              + "ai.djl.engine.EngineException: " + path + " is not a zip archive"),
          new InferenceException(Kind.INTERNAL, "model m:1 failed on a batch of 2 rows: "
              + "ai.djl.engine.EngineException: mat1 and mat2 shapes cannot be multiplied"),
          new InferenceException(Kind.UNAVAILABLE, "m 1.0.0: load failed: " + path
              + ": java.lang.NumberFormatException: For input string: \"x\""),
          new HttpStatusException(400, "malformed HTTP request: "
              + "io.netty.handler.codec.TooLongFrameException: An HTTP line is larger than 4096"
              + " bytes."),
          new IllegalArgumentException("invalid 'serving': Unrecognized field \"x\" (class "
              + "io.mlserve.store.ServingConfig)"),
          new ArithmeticException("long overflow"),
          new NullPointerException());
      for (Throwable t : failures) {
        String body = new String(HttpErrors.toReply(new CompletionException(t)).body());
        assertFalse(body.contains("java."), body);
        assertFalse(body.contains("Exception"), body);
        assertFalse(body.contains("io.mlserve") || body.contains("ai.djl"), body);
        assertFalse(body.contains(store.toString()), body);
      }
      assertTrue(new String(HttpErrors.toReply(failures.get(2)).body()).contains(
          "load failed: .../model.pt is not a zip archive"));
      assertTrue(new String(HttpErrors.toReply(failures.get(5)).body()).contains(
          "malformed HTTP request: An HTTP line is larger than 4096 bytes."));
    } finally {
      Files.delete(store);
    }
  }

  @Test
  void aFailedBulkJobSaysWhatASynchronousRequestWould() {
    assertEquals("store failure", HttpErrors.message(new StoreException("x")).substring(0, 13));
    assertEquals("request cancelled", HttpErrors.message(
        new java.util.concurrent.CancellationException()));
    assertTrue(HttpErrors.message(new IllegalStateException("java.lang.Foo"))
        .startsWith("internal error (error id "));
  }
}
