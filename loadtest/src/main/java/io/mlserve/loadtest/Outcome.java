package io.mlserve.loadtest;

import io.grpc.Status;

/**
 * How one request ended, as a small int so that recording it allocates nothing: {@link #OK}; a
 * gRPC status code's value (1-16); an HTTP status other than 2xx (100-599); or one of the
 * generator's own outcomes ({@link #CONNECTION_ERROR}, {@link #NO_ANSWER}). Stateless.
 */
final class Outcome {
  static final int OK = 0;
  /** The request could not be written or its answer read (refused, reset, I/O error). */
  static final int CONNECTION_ERROR = 600;
  /** Still unanswered when the drain after the window gave up; counted, never dropped. */
  static final int NO_ANSWER = 601;
  /** Size of a table indexed by outcome. */
  static final int SIZE = 602;

  private Outcome() {}

  /** The outcome of a gRPC call that ended with {@code code}. */
  static int grpc(Status.Code code) {
    return code.value();
  }

  /** The outcome of an HTTP exchange answered with {@code status}: 2xx is {@link #OK}. */
  static int http(int status) {
    if (status >= 200 && status < 300) {
      return OK;
    }
    return status >= 100 && status < 600 ? status : CONNECTION_ERROR;
  }

  /** {@code "OK"}, a gRPC code name ({@code "UNAVAILABLE"}), {@code "HTTP 503"}, or our own. */
  static String label(int outcome) {
    if (outcome >= 0 && outcome <= 16) {
      return Status.fromCodeValue(outcome).getCode().name();
    }
    if (outcome >= 100 && outcome < 600) {
      return "HTTP " + outcome;
    }
    return switch (outcome) {
      case CONNECTION_ERROR -> "CONNECTION_ERROR";
      case NO_ANSWER -> "NO_ANSWER";
      default -> "OUTCOME_" + outcome;
    };
  }
}
