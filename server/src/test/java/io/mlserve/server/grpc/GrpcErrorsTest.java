package io.mlserve.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.server.core.ErrorCases;
import io.mlserve.server.core.Failure;
import io.mlserve.server.core.InferenceException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {
  /** The shared table's cases, over gRPC: the same meaning and words as over HTTP. */
  @Test
  void everySharedCaseHasItsStatusAndMessage() {
    Map<Failure.Code, Status.Code> want = Map.of(
        Failure.Code.NOT_FOUND, Status.Code.NOT_FOUND,
        Failure.Code.INVALID_ARGUMENT, Status.Code.INVALID_ARGUMENT,
        Failure.Code.CONFLICT, Status.Code.FAILED_PRECONDITION,
        Failure.Code.UNAUTHENTICATED, Status.Code.UNAUTHENTICATED,
        Failure.Code.RESOURCE_EXHAUSTED, Status.Code.RESOURCE_EXHAUSTED,
        Failure.Code.DEADLINE_EXCEEDED, Status.Code.DEADLINE_EXCEEDED,
        Failure.Code.CANCELLED, Status.Code.CANCELLED,
        Failure.Code.UNAVAILABLE, Status.Code.UNAVAILABLE,
        Failure.Code.INTERNAL, Status.Code.INTERNAL);
    for (ErrorCases.Case c : ErrorCases.all()) {
      StatusRuntimeException e = GrpcErrors.toStatus(c.failure());
      assertEquals(want.get(c.code()), e.getStatus().getCode(), c.name());
      String d = e.getStatus().getDescription();
      assertTrue(d.matches(c.message()), c.name() + ": " + d);
      assertNull(e.getStatus().getCause(), c.name());
    }
  }

  @Test
  void anUnexpectedFailureIsAGenericMessageWithAnErrorId() {
    StatusRuntimeException e = GrpcErrors.toStatus(
        new CompletionException(new ArithmeticException("long overflow")));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().matches(
        "internal error \\(error id [0-9a-f]{16}; the server log has the details\\)"),
        e.getStatus().getDescription());
    assertNull(e.getStatus().getCause());
  }

  @Test
  void engineFailuresKeepTheirWordsWithoutClassNamesAndGainAnId() {
    String d = GrpcErrors.toStatus(new InferenceException(InferenceException.Kind.INTERNAL,
        "model m:1 failed on a batch of 2 rows: ai.djl.engine.EngineException: shapes differ"))
        .getStatus().getDescription();
    assertTrue(d.matches("model m:1 failed on a batch of 2 rows: shapes differ "
        + "\\(error id [0-9a-f]{16}\\)"), d);
  }

  @Test
  void refusalsAreScrubbedOfPathsAndExceptionNames() {
    String d = GrpcErrors.toStatus(InferenceException.unavailable(
        "m 1.0.0: load failed: /tmp/store/m/versions/1.0.0/model.pt: "
            + "java.io.IOException: truncated")).getStatus().getDescription();
    assertEquals("m 1.0.0: load failed: .../model.pt: truncated", d);
    String bad = GrpcErrors.toStatus(new IllegalArgumentException(
        "java.lang.NumberFormatException: For input string: \"x\"")).getStatus().getDescription();
    assertFalse(bad.contains("Exception"), bad);
  }
}
