package io.mlserve.server.core;

import java.util.Objects;

/**
 * A failure of an inference or metadata call, classified by {@link Kind} so that each transport
 * maps it to its own status in exactly one place (gRPC {@code Status}, HTTP code). The message
 * is written for the caller: it names what was wrong and, for bad input, what was expected.
 *
 * <p>Immutable; thread-safe.
 */
public final class InferenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure this is, independent of any transport. */
  public enum Kind {
    /** Unknown model or version. */
    NOT_FOUND,
    /** The request does not match the model's signature or the protocol. */
    INVALID_ARGUMENT,
    /** A bounded queue is full; the caller may retry later. */
    RESOURCE_EXHAUSTED,
    /** The request's deadline passed before inference. */
    DEADLINE_EXCEEDED,
    /** The model or server is not ready, or is shutting down. */
    UNAVAILABLE,
    /** The engine failed. */
    INTERNAL
  }

  private final Kind kind;

  public InferenceException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public InferenceException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }

  public static InferenceException notFound(String message) {
    return new InferenceException(Kind.NOT_FOUND, message);
  }

  public static InferenceException invalid(String message) {
    return new InferenceException(Kind.INVALID_ARGUMENT, message);
  }

  public static InferenceException unavailable(String message) {
    return new InferenceException(Kind.UNAVAILABLE, message);
  }
}
