package io.mlserve.loadtest;

/**
 * A load shape (open or closed loop) over a {@link Measurement}. {@link #sendAll} runs on the
 * caller's thread; everything else is thread-safe.
 */
interface LoadDriver extends LiveView {
  /** Sends for the warm-up and the measured window; returns once the last send is done. */
  void sendAll() throws InterruptedException;

  /** Every call slot the driver uses, so the drain can find those still in flight. */
  Call[] calls();

  Measurement measurement();

  /** How well the generator kept to its schedule; null for a closed loop (it has none). */
  GeneratorReport generator();

  @Override
  default long completed() {
    return measurement().completed();
  }

  @Override
  default int inFlight() {
    return measurement().inFlight();
  }

  @Override
  default String phase() {
    long now = measurement().clock().nanoTime();
    return now < measurement().warmupEnd() ? "warmup"
        : now < measurement().windowEnd() ? "measure" : "drain";
  }

  @Override
  default PhaseStats stats() {
    return measurement().clock().nanoTime() < measurement().warmupEnd()
        ? measurement().warmup() : measurement().measure();
  }
}
