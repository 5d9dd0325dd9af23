package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load at a constant rate: request {@code i} is meant to go out at
 * {@code t0 + i / rate}, whatever happened to the ones before it, and its latency is measured from
 * that intended time. A server that stalls therefore shows its stall in the percentiles of every
 * request that should have gone out meanwhile, not just the one it was holding (no coordinated
 * omission).
 *
 * <p>The scheduler sleeps until the next intended time and then sends every request that is due,
 * so it never spins. If it falls behind (its thread was starved, or {@code maxInFlight} calls were
 * outstanding) it sends late, still measuring from the intended times, and keeps count: lateness
 * of its own beyond {@code lagThreshold} goes into {@link GeneratorReport}, which flags the run
 * when the generator rather than the server set the pace.
 *
 * <p>The send path allocates nothing of ours: calls come from a fixed pool of
 * {@code maxInFlight}, requests from the target's pre-built array.
 *
 * <p>{@link #sendAll()} runs on one thread, once; the rest is thread-safe.
 */
final class OpenLoopScheduler implements LoadDriver {
  private final Clock clock;
  private final Target target;
  private final Measurement measurement;
  private final double rate;
  private final long warmupNanos;
  private final long durationNanos;
  private final long lagThresholdNanos;
  private final Call[] calls;
  private final ArrayBlockingQueue<Call> free;
  private final Histogram lag = new Histogram(1, PhaseStats.MAX_TRACKABLE_US, 3);
  private volatile long behindNanos;
  private volatile GeneratorReport report;

  OpenLoopScheduler(Clock clock, Target target, double rate, Duration warmup, Duration duration,
      int maxInFlight, Duration lagThreshold) {
    this.clock = requireNonNull(clock, "clock");
    this.target = requireNonNull(target, "target");
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate must be positive, got " + rate);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("max in flight must be >= 1, got " + maxInFlight);
    }
    this.rate = rate;
    this.warmupNanos = warmup.toNanos();
    this.durationNanos = duration.toNanos();
    this.lagThresholdNanos = lagThreshold.toNanos();
    this.measurement = new Measurement(clock, target);
    this.calls = new Call[maxInFlight];
    this.free = new ArrayBlockingQueue<>(maxInFlight);
    for (int i = 0; i < maxInFlight; i++) {
      calls[i] = new Call(i);
      free.add(calls[i]);
    }
    measurement.recycler((call, outcome) -> free.offer(call));
  }

  /** How often a send blocked by the in-flight limit looks for a free call. */
  static final long LIMIT_POLL_NANOS = 100_000;

  @Override
  public void sendAll() throws InterruptedException {
    long t0 = clock.nanoTime();
    long warmupEnd = t0 + warmupNanos;
    long end = warmupEnd + durationNanos;
    measurement.window(warmupEnd, end);
    double period = 1e9 / rate;
    int requests = target.requests();
    int next = 0;
    long sends = 0;
    long late = 0;
    long maxLag = 0;
    long limitWaits = 0;
    boolean limitBacklog = false;
    for (long i = 0; ; i++) {
      long intended = t0 + (long) (i * period);
      if (intended >= end) {
        break;
      }
      long now = clock.nanoTime();
      if (now < intended) {
        clock.parkUntil(intended);
        now = clock.nanoTime();
      }
      Call call = free.poll();
      if (call == null) {
        // The server holds maxInFlight calls: waiting here is its doing, and the wait shows in
        // the latency of this and the following sends, measured from their intended times.
        limitWaits++;
        limitBacklog = true;
        while ((call = free.poll()) == null) {
          clock.parkUntil(clock.nanoTime() + LIMIT_POLL_NANOS);
        }
        now = clock.nanoTime();
      }
      long lateBy = now - intended;
      behindNanos = lateBy;
      if (lateBy <= lagThresholdNanos) {
        limitBacklog = false;
      }
      if (intended >= warmupEnd) {
        sends++;
        lag.recordValue(Math.min(Math.max(lateBy / 1_000, 1), PhaseStats.MAX_TRACKABLE_US));
        if (lateBy > lagThresholdNanos && !limitBacklog) {
          late++;
          maxLag = Math.max(maxLag, lateBy);
        }
      }
      call.intendedNanos = intended;
      call.sentNanos = now;
      call.request = next;
      next = next + 1 == requests ? 0 : next + 1;
      measurement.send(call);
    }
    behindNanos = 0;
    report = new GeneratorReport(rate, sends, late, maxLag / 1_000,
        lag.getTotalCount() == 0 ? 0 : lag.getValueAtPercentile(99), limitWaits, calls.length,
        lagThresholdNanos / 1_000);
  }

  @Override
  public Call[] calls() {
    return calls;
  }

  @Override
  public Measurement measurement() {
    return measurement;
  }

  /** Null until {@link #sendAll()} has returned. */
  @Override
  public GeneratorReport generator() {
    return report;
  }

  @Override
  public long behindNanos() {
    return behindNanos;
  }
}
