package io.mlserve.server.core;

import io.mlserve.errors.ClientText;
import io.mlserve.evaluation.EvaluationException;
import io.mlserve.registry.IllegalTransitionException;
import io.mlserve.registry.UnauthenticatedException;
import io.mlserve.store.NotFoundException;
import io.mlserve.store.StoreException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one error table of the serving transports: what any failure means to a client, as a
 * transport-free {@link Code} and a message fit to show. gRPC's {@code GrpcErrors} and HTTP's
 * {@code HttpErrors} each map a {@link Code} to their status in one switch, so the same cause
 * has the same meaning over both (NOT_FOUND/404, INVALID_ARGUMENT/400, RESOURCE_EXHAUSTED/503
 * with Retry-After, DEADLINE_EXCEEDED/504, CANCELLED, UNAVAILABLE/503, anything unexpected
 * INTERNAL/500).
 *
 * <p>No message shows the server's insides: each goes through {@link ClientText#scrub} (no Java
 * class or exception names, no server paths). A failure nobody classified is answered
 * {@code internal error (error id ...)} and logged here with its stack trace under that id; an
 * engine or store failure keeps its scrubbed message and gains an id the same way.
 *
 * @param code what the failure means
 * @param message what the client is told
 */
public record Failure(Code code, String message) {
  private static final Logger log = LoggerFactory.getLogger(Failure.class);
  /** One stack trace per kind of engine failure a minute; the repeats get one line each. */
  private static final StackTraceLimiter TRACES =
      new StackTraceLimiter(System::nanoTime, java.time.Duration.ofMinutes(1), 256);

  /** What a failure means to a client, independent of any transport. */
  public enum Code {
    /** Unknown model, version, stage, job, request id or registry object. */
    NOT_FOUND,
    /** The request is malformed or does not match what it addresses. */
    INVALID_ARGUMENT,
    /** A registry change not allowed from the current state (illegal stage transition). */
    CONFLICT,
    /** A protected call without a valid token. */
    UNAUTHENTICATED,
    /** A bounded queue or table is full; retry later. */
    RESOURCE_EXHAUSTED,
    /** The request's deadline passed. */
    DEADLINE_EXCEEDED,
    /** The caller cancelled (or went away). */
    CANCELLED,
    /** Not ready, or shutting down. */
    UNAVAILABLE,
    /** A failure of the server itself. */
    INTERNAL
  }

  public Failure {
    Objects.requireNonNull(code, "code");
    message = ClientText.scrub(message);
  }

  /** Whether the client should be told to retry after a pause (HTTP Retry-After). */
  public boolean retryLater() {
    return code == Code.RESOURCE_EXHAUSTED;
  }

  /** Classifies any failure of a request (completion wrappers are looked through). */
  public static Failure of(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof InferenceException ie) {
      if (ie.kind() == InferenceException.Kind.INTERNAL) {
        String id = ClientText.newErrorId();
        logInferenceFailure(id, ie);
        return new Failure(Code.INTERNAL,
            ClientText.scrub(ie.getMessage(), "inference failed") + " (error id " + id + ")");
      }
      return new Failure(codeOf(ie.kind()), ie.getMessage());
    }
    if (e instanceof EvaluationException ee) {
      // An evaluation that did not complete: its message names the rows and versions.
      return new Failure(switch (ee.reason()) {
        case FAILED -> Code.INVALID_ARGUMENT;
        case CANCELLED -> Code.CANCELLED;
        case TIMED_OUT -> Code.DEADLINE_EXCEEDED;
      }, ee.getMessage());
    }
    if (e instanceof CancellationException) {
      return new Failure(Code.CANCELLED, "request cancelled");
    }
    if (e instanceof RejectedExecutionException) {
      return new Failure(Code.RESOURCE_EXHAUSTED, "server busy; retry later");
    }
    if (e instanceof TimeoutException) {
      return new Failure(Code.DEADLINE_EXCEEDED, "deadline exceeded");
    }
    if (e instanceof UnauthenticatedException) {
      return new Failure(Code.UNAUTHENTICATED, e.getMessage());
    }
    if (e instanceof NotFoundException) {
      return new Failure(Code.NOT_FOUND, e.getMessage());
    }
    if (e instanceof IllegalTransitionException) {
      return new Failure(Code.CONFLICT, e.getMessage());
    }
    if (e instanceof StoreException) {
      String id = ClientText.newErrorId();
      log.warn("error id {}: store failure", id, e);
      return new Failure(Code.INTERNAL, "store failure: "
          + ClientText.scrub(e.getMessage(), "see the server log") + " (error id " + id + ")");
    }
    if (e instanceof IllegalArgumentException) {
      return new Failure(Code.INVALID_ARGUMENT, e.getMessage());
    }
    String id = ClientText.newErrorId();
    log.error("error id {}: internal error answering a request", id, e);
    return new Failure(Code.INTERNAL, ClientText.internal(id));
  }

  private static void logInferenceFailure(String id, InferenceException ie) {
    Throwable cause = ie.getCause();
    String message = String.valueOf(ie.getMessage());
    String signature = (cause == null ? "" : cause.getClass().getName() + ": ")
        + message.substring(0, Math.min(200, message.length()));
    long repeats = TRACES.admit(signature);
    if (repeats < 0) {
      log.error("error id {}: inference failed: {} (stack trace logged at most once a minute)",
          id, message);
    } else if (repeats > 0) {
      log.error("error id {}: inference failed: {} ({} more since the last stack trace)", id,
          message, repeats, cause);
    } else {
      log.error("error id {}: inference failed: {}", id, message, cause);
    }
  }

  /** The code of a model-layer failure kind. */
  public static Code codeOf(InferenceException.Kind kind) {
    return switch (kind) {
      case NOT_FOUND -> Code.NOT_FOUND;
      case INVALID_ARGUMENT -> Code.INVALID_ARGUMENT;
      case RESOURCE_EXHAUSTED -> Code.RESOURCE_EXHAUSTED;
      case DEADLINE_EXCEEDED -> Code.DEADLINE_EXCEEDED;
      case UNAVAILABLE -> Code.UNAVAILABLE;
      case INTERNAL -> Code.INTERNAL;
    };
  }

  /** Looks through the wrappers futures and executors put around a failure. */
  public static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException
            || e instanceof java.io.UncheckedIOException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
