package io.mlserve.registry.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.registry.IllegalTransitionException;
import io.mlserve.store.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where registry exceptions become gRPC statuses: not found → NOT_FOUND, an
 * illegal stage transition → FAILED_PRECONDITION, any other bad request → INVALID_ARGUMENT,
 * a store failure → INTERNAL (with its message: operators need it), anything else → INTERNAL
 * without details (logged). Stateless.
 */
final class AdminErrors {
  private static final Logger log = LoggerFactory.getLogger(AdminErrors.class);

  private AdminErrors() {}

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
      log.warn("store failure", t);
      status = Status.INTERNAL;
    } else {
      log.error("admin call failed", t);
      return Status.INTERNAL.withDescription("internal error").withCause(t).asRuntimeException();
    }
    return status.withDescription(t.getMessage()).withCause(t).asRuntimeException();
  }
}
