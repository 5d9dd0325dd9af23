package io.mlserve.server.batch;

/**
 * A source of monotonic nanoseconds, injected so that batching decisions can be tested with a
 * fake clock and no sleeps. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Ticker {
  /** Nanoseconds from an arbitrary fixed origin; only differences are meaningful. */
  long nanoTime();

  /** The JVM's {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
