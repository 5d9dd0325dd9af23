package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop load: {@code concurrency} lanes each keep exactly one request in flight, sending the
 * next the moment the last completes. The intended send time is the actual one (the previous
 * completion), so latency is free of coordinated omission by construction; what a slow server
 * takes away is throughput.
 *
 * <p>After a failure the lane re-sends through {@code scheduler} (never recursively from the
 * callback), after {@value #BACKOFF_MS} ms when the failure means "no connection", so that a dead
 * target does not turn the loop into a busy spin.
 *
 * <p>{@link #sendAll()} runs on one thread, once; the rest is thread-safe.
 */
final class ClosedLoop implements LoadDriver {
  static final long BACKOFF_MS = 10;

  private final Clock clock;
  private final Measurement measurement;
  private final ScheduledExecutorService scheduler;
  private final long warmupNanos;
  private final long durationNanos;
  private final Call[] calls;
  private final CountDownLatch retired;
  private final int requests;

  ClosedLoop(Clock clock, Target target, int concurrency, Duration warmup, Duration duration,
      ScheduledExecutorService scheduler) {
    this.clock = requireNonNull(clock, "clock");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
    }
    this.warmupNanos = warmup.toNanos();
    this.durationNanos = duration.toNanos();
    this.measurement = new Measurement(clock, target);
    this.requests = target.requests();
    this.calls = new Call[concurrency];
    this.retired = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      calls[i] = new Call(i);
      calls[i].request = i % requests;
    }
    measurement.recycler(this::recycle);
  }

  @Override
  public void sendAll() throws InterruptedException {
    long t0 = clock.nanoTime();
    measurement.window(t0 + warmupNanos, t0 + warmupNanos + durationNanos);
    for (Call c : calls) {
      send(c);
    }
    clock.parkUntil(measurement.windowEnd());
  }

  /** Waits until every lane has seen the window close, or {@code timeoutMs} passed. */
  boolean awaitRetired(long timeoutMs) throws InterruptedException {
    return retired.await(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private void send(Call call) {
    long now = clock.nanoTime();
    if (now >= measurement.windowEnd()) {
      retired.countDown();
      return;
    }
    call.intendedNanos = now;
    call.sentNanos = now;
    call.request = call.request + 1 == requests ? 0 : call.request + 1;
    measurement.send(call);
  }

  private void recycle(Call call, int outcome) {
    if (outcome == Outcome.OK) {
      send(call);
      return;
    }
    long delay = outcome == Outcome.grpc(io.grpc.Status.Code.UNAVAILABLE)
        || outcome == Outcome.CONNECTION_ERROR ? BACKOFF_MS : 0;
    try {
      scheduler.schedule(() -> send(call), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      retired.countDown(); // the run is over and its scheduler gone
    }
  }

  @Override
  public Call[] calls() {
    return calls;
  }

  @Override
  public Measurement measurement() {
    return measurement;
  }

  @Override
  public GeneratorReport generator() {
    return null;
  }
}
