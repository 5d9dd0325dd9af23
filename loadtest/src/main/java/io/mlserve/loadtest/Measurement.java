package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where completions land. A request belongs to the phase its <em>intended</em> send time falls in
 * (warm-up before {@code warmupEnd}, measured window up to {@code windowEnd}), wherever its answer
 * arrives; requests meant after the window are not reported. Latency runs from the intended
 * time, service time from the actual send.
 *
 * <p>This class is thread-safe: completions arrive on transport threads while the driver sends
 * and a reporter reads.
 */
final class Measurement implements Target.Sink {
  /** What a driver does once a call has been recorded (free it, or send the next one). */
  interface Recycler {
    void recycle(Call call, int outcome);
  }

  private final Clock clock;
  private final Target target;
  private final PhaseStats warmup;
  private final PhaseStats measure;
  private final LongAdder completed = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile long warmupEnd = Long.MAX_VALUE;
  private volatile long windowEnd = Long.MAX_VALUE;
  private volatile Recycler recycler = (call, outcome) -> { };

  Measurement(Clock clock, Target target) {
    this.clock = requireNonNull(clock, "clock");
    this.target = requireNonNull(target, "target");
    this.warmup = new PhaseStats(target.models().size());
    this.measure = new PhaseStats(target.models().size());
  }

  /** Fixes the phases before the first send; times on {@link #clock()}'s scale. */
  void window(long warmupEndNanos, long windowEndNanos) {
    this.warmupEnd = warmupEndNanos;
    this.windowEnd = windowEndNanos;
  }

  void recycler(Recycler recycler) {
    this.recycler = requireNonNull(recycler, "recycler");
  }

  Clock clock() {
    return clock;
  }

  long warmupEnd() {
    return warmupEnd;
  }

  long windowEnd() {
    return windowEnd;
  }

  /** Marks {@code call} in flight and hands it to the target. */
  void send(Call call) {
    inFlight.incrementAndGet();
    call.markInFlight();
    target.send(call, this);
  }

  @Override
  public void completed(Call call, int outcome, String version) {
    long now = clock.nanoTime();
    if (!call.finish(Call.FREE)) {
      return; // the drain gave up on it and has counted it already
    }
    record(call, now, outcome, version);
    recycler.recycle(call, outcome);
  }

  private void record(Call call, long now, int outcome, String version) {
    inFlight.decrementAndGet();
    completed.increment();
    long intended = call.intendedNanos;
    PhaseStats stats = intended < warmupEnd ? warmup : intended < windowEnd ? measure : null;
    if (stats != null) {
      stats.record(target.modelOf(call.request), (now - intended) / 1_000,
          (now - call.sentNanos) / 1_000, outcome, version);
    }
  }

  /**
   * Counts every call of {@code calls} still in flight as {@link Outcome#NO_ANSWER}, with the
   * latency it has reached by now (a lower bound), so a server that never answers still shows in
   * the distribution. Returns how many there were.
   */
  int abandon(Call[] calls) {
    long now = clock.nanoTime();
    int n = 0;
    for (Call c : calls) {
      if (c != null && c.inFlight() && c.finish(Call.ABANDONED)) {
        record(c, now, Outcome.NO_ANSWER, null);
        n++;
      }
    }
    return n;
  }

  PhaseStats warmup() {
    return warmup;
  }

  PhaseStats measure() {
    return measure;
  }

  long completed() {
    return completed.sum();
  }

  int inFlight() {
    return inFlight.get();
  }
}
