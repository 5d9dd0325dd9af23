package io.mlserve.server.core;

import io.mlserve.server.model.ModelRouter;
import java.util.Objects;

/**
 * Whether the server is live and ready. Live from construction until shutdown begins; ready once
 * the initial models are loaded and warmed and while every served model has its default version
 * loaded.
 *
 * <p>This class is thread-safe.
 */
public final class ServerState {
  private final ModelRouter router;
  private volatile boolean started;
  private volatile boolean shuttingDown;
  private volatile java.util.function.BooleanSupplier extraCheck = () -> true;

  public ServerState(ModelRouter router) {
    this.router = Objects.requireNonNull(router, "router");
  }

  /** Called once the initial load finished. */
  public void markStarted() {
    started = true;
  }

  /** Called when shutdown begins: not ready from now on. */
  public void markShuttingDown() {
    shuttingDown = true;
  }

  public boolean live() {
    return !shuttingDown;
  }

  /** One more condition for readiness (e.g. no Production model failed to load). */
  public void readyAlsoWhen(java.util.function.BooleanSupplier check) {
    this.extraCheck = Objects.requireNonNull(check, "check");
  }

  public boolean ready() {
    return started && !shuttingDown && router.allDefaultsLoaded() && extraCheck.getAsBoolean();
  }
}
