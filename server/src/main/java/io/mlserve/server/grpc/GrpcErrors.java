package io.mlserve.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.errors.ClientText;
import io.mlserve.server.core.InferenceException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC statuses. Every description goes through
 * {@link ClientText#scrub} (no Java class or exception names, no server paths); an engine
 * failure keeps its scrubbed message and gains an error id, and a failure nobody classified is
 * answered {@code internal error (error id ...)} only. The id is in the log line that holds
 * the details; the cause is never attached to the status (it would not reach the client, but
 * in-process callers would see it). Stateless; thread-safe.
 */
final class GrpcErrors {
  private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  static StatusRuntimeException toStatus(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (e instanceof InferenceException ie) {
      String message = ie.getMessage();
      if (ie.kind() == InferenceException.Kind.INTERNAL) {
        String id = ClientText.newErrorId();
        log.error("error id {}: inference failed: {}", id, message, ie.getCause());
        message = ClientText.scrub(message, "inference failed") + " (error id " + id + ")";
      }
      return status(codeFor(ie.kind()), message);
    }
    if (e instanceof CancellationException) {
      return status(Status.CANCELLED, "request cancelled");
    }
    if (e instanceof IllegalArgumentException) {
      return status(Status.INVALID_ARGUMENT, e.getMessage());
    }
    String id = ClientText.newErrorId();
    log.error("error id {}: internal error answering a gRPC call", id, e);
    return Status.INTERNAL.withDescription(ClientText.internal(id)).asRuntimeException();
  }

  private static StatusRuntimeException status(Status status, String message) {
    return status.withDescription(ClientText.scrub(message)).asRuntimeException();
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
