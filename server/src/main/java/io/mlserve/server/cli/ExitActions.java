package io.mlserve.server.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * What a command must do before the process ends, however it ends: a normal return, a failed
 * start, or SIGTERM/Ctrl-C (through one JVM shutdown hook). Actions run last-added first, each
 * at most once: the server that was started after the demo's temporary store stops before the
 * store is removed.
 *
 * <p>{@link #runAll()} holds this object's lock while the actions run, so a second caller (the
 * command's own {@code finally} racing the shutdown hook) returns only once every action has
 * finished, and the JVM cannot halt half way through one. Shutdown hooks run concurrently and in
 * no set order; having one hook run an ordered list is what makes the order hold. This class is
 * thread-safe.
 */
final class ExitActions {
  /** Cancels an action that has not run yet. */
  interface Registration {
    void cancel();
  }

  private final Deque<Runnable> actions = new ArrayDeque<>(); // @GuardedBy("this")

  /** An empty list, run by a JVM shutdown hook on exit. */
  static ExitActions installed() {
    ExitActions exit = new ExitActions();
    Runtime.getRuntime().addShutdownHook(new Thread(exit::runAll, "mlserve-exit"));
    return exit;
  }

  /** Adds an action that runs before those added earlier. */
  synchronized Registration add(Runnable action) {
    Objects.requireNonNull(action, "action");
    actions.push(action);
    return () -> {
      synchronized (ExitActions.this) {
        actions.removeFirstOccurrence(action);
      }
    };
  }

  /**
   * Runs every action not yet run or cancelled, last-added first, and returns when they have
   * finished. An action that throws is reported on stderr; the others still run.
   */
  synchronized void runAll() {
    for (Runnable next; (next = actions.poll()) != null; ) {
      try {
        next.run();
      } catch (RuntimeException e) {
        System.err.println("mlserve: on exit: " + e.getMessage());
      }
    }
  }
}
