package io.mlserve.registry;

/**
 * A promotion to Production that the model's policy does not allow yet: the version has no
 * approval. The message names the version, its approval state and what would approve it. An
 * {@link IllegalTransitionException}, so transports map it to FAILED_PRECONDITION / HTTP 409.
 */
public final class ApprovalRequiredException extends IllegalTransitionException {
  private static final long serialVersionUID = 1L;

  public ApprovalRequiredException(String message) {
    super(message);
  }
}
