package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints one line per tick while a run goes on: phase, completion rate since the last tick,
 * calls in flight, p99 of the phase so far, and failures of the phase so far. Meant to be run at a
 * fixed rate (every second) by a single scheduler thread.
 *
 * <p>Not thread-safe: {@link #run()} keeps the previous tick's count and must not run
 * concurrently with itself (a single-threaded scheduler guarantees that).
 */
final class ProgressReporter implements Runnable {
  private final LiveView view;
  private final PrintWriter out;
  private final long startNanos;
  private long lastNanos;
  private long lastCompleted;

  ProgressReporter(LiveView view, PrintWriter out) {
    this.view = requireNonNull(view, "view");
    this.out = requireNonNull(out, "out");
    this.startNanos = System.nanoTime();
    this.lastNanos = startNanos;
  }

  @Override
  public void run() {
    long now = System.nanoTime();
    long completed = view.completed();
    double rate = now > lastNanos ? (completed - lastCompleted) * 1e9 / (now - lastNanos) : 0;
    lastNanos = now;
    lastCompleted = completed;
    RunStats stats = view.stats();
    long p99 = stats.ok() == 0 ? 0 : stats.latency().getValueAtPercentile(99);
    out.printf(Locale.ROOT, "[%4ds] %-7s %9.0f req/s  in flight %4d  p99 %10s  errors %d%n",
        (now - startNanos) / 1_000_000_000L, view.phase(), rate, view.inFlight(),
        TextReport.micros(p99), stats.errors());
    out.flush();
  }
}
