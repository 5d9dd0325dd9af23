package io.mlserve.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.server.core.InferenceException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place where failures become gRPC statuses. Stateless; thread-safe.
 */
final class GrpcErrors {
  private GrpcErrors() {}

  static StatusRuntimeException toStatus(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (e instanceof InferenceException ie) {
      return codeFor(ie.kind()).withDescription(ie.getMessage()).asRuntimeException();
    }
    if (e instanceof CancellationException) {
      return Status.CANCELLED.withDescription("request cancelled").asRuntimeException();
    }
    if (e instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    return Status.INTERNAL.withDescription(String.valueOf(e)).withCause(e).asRuntimeException();
  }

  static Status codeFor(InferenceException.Kind kind) {
    return switch (kind) {
      case NOT_FOUND -> Status.NOT_FOUND;
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
      case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case INTERNAL -> Status.INTERNAL;
    };
  }

  private static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
