package io.mlserve.server.triton.shm;

import java.util.Objects;

/**
 * A refused shared-memory registration, status or unregistration, classified by {@link Reason}
 * so that each transport adapter maps it to its status in one switch ({@link SharedMemoryGrpc},
 * {@link SharedMemoryRest}). The message names what was wrong and never a server path beyond
 * the key the client sent. Inference requests that use a region are refused with
 * {@link io.mlserve.server.core.InferenceException} instead (the serving error table).
 *
 * <p>Immutable; thread-safe.
 */
public final class SharedMemoryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of refusal this is. */
  public enum Reason {
    /** No region of that name is registered. */
    NOT_FOUND,
    /** The key, offset, size or name is not acceptable. */
    INVALID,
    /** A region of that name is already registered. */
    EXISTS,
    /** The region count or mapped-byte bound would be passed. */
    LIMIT,
    /** The feature is turned off on this server. */
    DISABLED,
    /** Asked of CUDA shared memory, which this server does not implement. */
    UNIMPLEMENTED
  }

  private final Reason reason;

  public SharedMemoryException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
