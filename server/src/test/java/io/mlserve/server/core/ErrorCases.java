package io.mlserve.server.core;

import io.mlserve.registry.IllegalTransitionException;
import io.mlserve.registry.InvalidRequestException;
import io.mlserve.registry.UnauthenticatedException;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.StoreException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The cases of the shared error table, each a failure as a caller may see it (often wrapped by a
 * future), the code it must mean and the message a client must get (a regex). Both transports'
 * tests run every case, so the same cause has the same meaning over gRPC and HTTP.
 */
public final class ErrorCases {
  /** One failure and what it must become. */
  public record Case(String name, Throwable failure, Failure.Code code, String message) {}

  private static final String ID = "[0-9a-f]{16}";

  private ErrorCases() {}

  public static List<Case> all() {
    return List.of(
        new Case("unknown model", new CompletionException(
            InferenceException.notFound("model 'x' is not served (served: m)")),
            Failure.Code.NOT_FOUND, "model 'x' is not served \\(served: m\\)"),
        new Case("bad input", InferenceException.invalid("input 'curve': expected FP32"),
            Failure.Code.INVALID_ARGUMENT, "input 'curve': expected FP32"),
        new Case("illegal argument", new IllegalArgumentException("weight must be 0..100"),
            Failure.Code.INVALID_ARGUMENT, "weight must be 0\\.\\.100"),
        new Case("registry refusal", new InvalidRequestException("bad version 'x'"),
            Failure.Code.INVALID_ARGUMENT, "bad version 'x'"),
        new Case("full queue", new InferenceException(
            InferenceException.Kind.RESOURCE_EXHAUSTED, "queue of m:1 is full (64 requests)"),
            Failure.Code.RESOURCE_EXHAUSTED, "queue of m:1 is full \\(64 requests\\)"),
        new Case("rejected execution", new ExecutionException(
            new RejectedExecutionException("java.util.concurrent.ThreadPoolExecutor@1 rejected")),
            Failure.Code.RESOURCE_EXHAUSTED, "server busy; retry later"),
        new Case("deadline", new InferenceException(
            InferenceException.Kind.DEADLINE_EXCEEDED, "deadline passed in the queue"),
            Failure.Code.DEADLINE_EXCEEDED, "deadline passed in the queue"),
        new Case("timeout", new TimeoutException("timed out"),
            Failure.Code.DEADLINE_EXCEEDED, "deadline exceeded"),
        new Case("cancelled", new CompletionException(new CancellationException()),
            Failure.Code.CANCELLED, "request cancelled"),
        new Case("unavailable", InferenceException.unavailable(
            "m 1.0.0: load failed: /tmp/store/m/versions/1.0.0/model.pt: "
                + "java.io.IOException: truncated"),
            Failure.Code.UNAVAILABLE, "m 1\\.0\\.0: load failed: \\.\\.\\./model\\.pt: truncated"),
        new Case("engine failure", new InferenceException(InferenceException.Kind.INTERNAL,
            "model m:1 failed on a batch of 2 rows: ai.djl.engine.EngineException: shapes"),
            Failure.Code.INTERNAL,
            "model m:1 failed on a batch of 2 rows: shapes \\(error id " + ID + "\\)"),
        new Case("registry not found", NotFoundException.model("m"),
            Failure.Code.NOT_FOUND, ".*'m'.*"),
        new Case("illegal transition",
            new IllegalTransitionException("allowed from Production: Deprecated"),
            Failure.Code.CONFLICT, "allowed from Production: Deprecated"),
        new Case("no token", new UnauthenticatedException("invalid admin token"),
            Failure.Code.UNAUTHENTICATED, "invalid admin token"),
        new Case("store failure", new StoreException("disk full"),
            Failure.Code.INTERNAL, "store failure: disk full \\(error id " + ID + "\\)"),
        new Case("unexpected", new CompletionException(new NullPointerException(
            "Cannot invoke \"io.mlserve.X.y()\" because \"z\" is null")),
            Failure.Code.INTERNAL,
            "internal error \\(error id " + ID + "; the server log has the details\\)"),
        new Case("unexpected with a path", new IllegalStateException("boom at /srv/x/y"),
            Failure.Code.INTERNAL,
            "internal error \\(error id " + ID + "; the server log has the details\\)"));
  }
}
