package io.mlserve.server.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mlserve.server.core.Failure;

/**
 * Where failures become gRPC statuses: {@link Failure#of} classifies (the table both transports
 * share), and this maps its code to a {@link Status} in one switch. A status a gRPC layer
 * already chose passes through. The cause is never attached to the status (it would not reach
 * a remote client, but in-process callers would see it). Stateless; thread-safe.
 */
final class GrpcErrors {
  private GrpcErrors() {}

  static StatusRuntimeException toStatus(Throwable t) {
    Throwable e = Failure.unwrap(t);
    if (e instanceof StatusRuntimeException sre) {
      return sre;
    }
    Failure f = Failure.of(e);
    return statusFor(f.code()).withDescription(f.message()).asRuntimeException();
  }

  static Status statusFor(Failure.Code code) {
    return switch (code) {
      case NOT_FOUND -> Status.NOT_FOUND;
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case CONFLICT -> Status.FAILED_PRECONDITION;
      case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
      case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
      case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
      case CANCELLED -> Status.CANCELLED;
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case INTERNAL -> Status.INTERNAL;
    };
  }
}
