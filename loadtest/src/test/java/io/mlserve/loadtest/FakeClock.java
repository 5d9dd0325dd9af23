package io.mlserve.loadtest;

import java.util.PriorityQueue;

/**
 * A clock that moves only when a driver parks on it: {@link #parkUntil} runs every timer due by
 * then, in time order, with the clock set to each timer's time, then sets the clock to the
 * deadline. Single-threaded tests only.
 */
final class FakeClock implements Clock {
  private record Timer(long at, long seq, Runnable task) {}

  private final PriorityQueue<Timer> timers = new PriorityQueue<>(
      (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private long now = 1_000_000_000L;
  private long seq;

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void parkUntil(long deadlineNanos) {
    while (!timers.isEmpty() && timers.peek().at <= deadlineNanos) {
      Timer t = timers.poll();
      // A timer runs at its own time even when the caller is already past it, as a completion
      // on another thread would have.
      long resume = Math.max(now, t.at);
      now = t.at;
      t.task.run();
      now = Math.max(now, resume);
    }
    now = Math.max(now, deadlineNanos);
  }

  /** Runs the timers due by now, each at its own time. */
  void runDue() {
    parkUntil(now);
  }

  void schedule(long at, Runnable task) {
    timers.add(new Timer(at, seq++, task));
  }

  /** Moves time on by {@code nanos} (e.g. a send that costs CPU). */
  void advance(long nanos) {
    now += nanos;
  }
}
