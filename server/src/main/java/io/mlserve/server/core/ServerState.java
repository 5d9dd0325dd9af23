package io.mlserve.server.core;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Whether the server is live and ready. Live from construction until shutdown begins; ready once
 * the initial models are loaded and warmed and while every served model has its default version
 * loaded.
 *
 * <p>This class is thread-safe.
 */
public final class ServerState {
  private final BooleanSupplier modelsLoaded;
  private volatile boolean started;
  private volatile boolean shuttingDown;
  private volatile BooleanSupplier extraCheck = () -> true;

  /**
   * @param modelsLoaded whether every served model has a version that its unversioned requests
   *     reach (the router knows)
   */
  public ServerState(BooleanSupplier modelsLoaded) {
    this.modelsLoaded = Objects.requireNonNull(modelsLoaded, "modelsLoaded");
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
  public void readyAlsoWhen(BooleanSupplier check) {
    this.extraCheck = Objects.requireNonNull(check, "check");
  }

  public boolean ready() {
    return started && !shuttingDown && modelsLoaded.getAsBoolean() && extraCheck.getAsBoolean();
  }
}
