package io.mlserve.registry.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.mlserve.errors.ClientText;
import io.mlserve.registry.IllegalTransitionException;
import io.mlserve.store.NotFoundException;
import org.slf4j.Logger;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The one place where registry exceptions become gRPC statuses: not found → NOT_FOUND, an
 * illegal stage transition → FAILED_PRECONDITION, any other bad request → INVALID_ARGUMENT,
 * a store failure → INTERNAL (with its message, for operators, and an error id), anything else →
 * INTERNAL without details (an error id; logged). Every description goes through
 * {@link ClientText#scrub}: no Java class or exception names, no server paths. Stateless.
 */
final class AdminErrors {
  private static final Logger log = LoggerFactory.getLogger(AdminErrors.class);

  private AdminErrors() {}

  /** Answers a unary call with {@code body}'s result, or its exception as a status. */
  static <T> void unary(StreamObserver<T> out, Supplier<T> body) {
    T result;
    try {
      result = body.get();
    } catch (RuntimeException e) {
      out.onError(toStatus(e));
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }

  static StatusRuntimeException toStatus(Throwable t) {
    if (t instanceof StatusRuntimeException sre) {
      return sre;
    }
    Status status;
    if (t instanceof NotFoundException) {
      status = Status.NOT_FOUND;
    } else if (t instanceof IllegalTransitionException) {
      status = Status.FAILED_PRECONDITION;
    } else if (t instanceof IllegalArgumentException) {
      status = Status.INVALID_ARGUMENT;
    } else if (t instanceof io.mlserve.store.StoreException) {
      String id = ClientText.newErrorId();
      log.warn("error id {}: store failure", id, t);
      return Status.INTERNAL.withDescription(ClientText.scrub(t.getMessage(), "store failure")
          + " (error id " + id + ")").withCause(t).asRuntimeException();
    } else {
      String id = ClientText.newErrorId();
      log.error("error id {}: admin call failed", id, t);
      return Status.INTERNAL.withDescription(ClientText.internal(id)).withCause(t)
          .asRuntimeException();
    }
    return status.withDescription(ClientText.scrub(t.getMessage())).withCause(t)
        .asRuntimeException();
  }
}
