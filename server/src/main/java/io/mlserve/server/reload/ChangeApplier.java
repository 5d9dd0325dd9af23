package io.mlserve.server.reload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what the store says of a model to this server, waiting a bounded time: what the admin
 * services (gRPC and REST) call after a change made through this server, so that its answer
 * comes once the change is served (read-your-writes). Implementations are thread-safe.
 */
@FunctionalInterface
public interface ChangeApplier {
  /** Does nothing: changes are applied when the server next reads the event log. */
  ChangeApplier NONE = model -> { };

  void awaitApplied(String model) throws InterruptedException;

  /**
   * {@link #awaitApplied}, logging a failure instead of throwing it: the change is in the store
   * and the server applies it on its next read of the event log anyway.
   */
  default void awaitQuietly(String model) {
    try {
      awaitApplied(model);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(ChangeApplier.class).warn("{}: applying a change made through this"
          + " server failed; it is applied on the next event", model, e);
    }
  }
}
