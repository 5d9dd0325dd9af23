package io.mlserve.registry;

/**
 * A stage change the lifecycle rules do not allow from the version's current stage (or a
 * rollback with nothing to go back to). The message names the allowed transitions. Transports
 * map it to FAILED_PRECONDITION / HTTP 409: the request is well-formed, the state is wrong.
 */
public class IllegalTransitionException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;

  public IllegalTransitionException(String message) {
    super(message);
  }
}
