package io.mlserve.server.shadow;

import io.mlserve.server.batch.BackgroundPriority;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.metrics.LatencyTracker;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.Tensor;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model's shadow: mirrors a sample of the primary's answered requests to the shadow version
 * and compares the answers.
 *
 * <p>{@link #offer} runs on the caller's thread (a batcher worker of the primary) and only
 * decides the sample, checks the bounds and offers to a bounded queue: it never blocks, never
 * throws for the shadow's sake, and a full queue (count or bytes) drops the copy and counts it.
 * One dedicated daemon thread per mirror, at minimum priority, drains the queue: it submits each
 * copy to the shadow's {@link ServedModel} (its own batcher: the primary's is untouched) with a
 * deadline, keeping at most {@link ShadowConfig#maxInFlight} copies outstanding (a slow or hung
 * shadow holds the drain, so the queue fills and further copies are dropped, never the caller).
 * A copy not answered within the deadline is cancelled (dropped from the shadow's batcher if not
 * yet run) and counted as a timeout; a failure is counted as an error. Answers are compared on
 * the shadow's batcher thread that produced them.
 *
 * <p>On priority: the shadow is a dedicated instance of its version (its own batcher with one
 * worker; the primary's queue and workers never see a copy) whose worker, like the drain
 * thread, runs at the lowest CPU priority ({@link BackgroundPriority}: nice 19 on Linux), so on
 * a saturated host the shadow gets the CPU serving leaves over; at most {@code maxInFlight}
 * copies are on it at once, and everything beyond the bounded queue is dropped at the caller at
 * no cost and counted.
 *
 * <p>Cost on the caller's thread, as {@code ShadowOfferCostTest} measures it: a request outside
 * the sample, or dropped because the queue is full, allocates nothing (a hash of the request id
 * and a few volatile reads); a mirrored one allocates its 40-byte queue entry (the inputs list
 * is copied only when it is not already immutable; tensors are immutable and shared, never
 * copied) and makes four atomic updates. Its memory, whatever the traffic:
 * the queued copies (bounded by count and bytes), the copies in flight (bounded), and fixed-size
 * statistics and examples.
 *
 * <p>This class is thread-safe.
 */
public final class ShadowMirror implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ShadowMirror.class);

  private final String model;
  private final String shadowVersion;
  private final ShadowConfig config;
  private final Ticker ticker;
  private final ScheduledExecutorService timer;
  private final long startedAtMillis;
  private final long deadlineNanos;
  private volatile ServedModel shadow;
  private volatile boolean closed;

  private final ArrayBlockingQueue<Copy> queue;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Semaphore inFlight;
  private final Thread drain;

  private final LongAdder mirrored = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LatencyTracker latency = new LatencyTracker();
  private final Divergence divergence = new Divergence();
  private final WorstExamples worst;

  /** One request waiting for the shadow. */
  private record Copy(String version, String requestId, List<Tensor> inputs, Tensor[] primary,
      long bytes) {}

  /**
   * Starts the drain thread.
   *
   * @param timer runs the deadlines; its tasks only cancel a future
   * @param startedAtMillis the wall time the window starts, for the report
   */
  ShadowMirror(String model, ServedModel shadow, ShadowConfig config, Ticker ticker,
      ScheduledExecutorService timer, long startedAtMillis) {
    this.model = Objects.requireNonNull(model, "model");
    this.shadow = Objects.requireNonNull(shadow, "shadow");
    this.shadowVersion = shadow.version();
    this.config = Objects.requireNonNull(config, "config");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.startedAtMillis = startedAtMillis;
    this.deadlineNanos = config.deadline().toNanos();
    this.queue = new ArrayBlockingQueue<>(config.maxQueued());
    this.inFlight = new Semaphore(config.maxInFlight());
    this.worst = new WorstExamples(config.worstKept());
    this.drain = new Thread(this::drainLoop, "shadow-" + shadow.label());
    drain.setDaemon(true);
    drain.setPriority(Thread.MIN_PRIORITY);
    drain.start();
  }

  /** The shadow version. */
  public String version() {
    return shadowVersion;
  }

  /** The config this mirror runs with. */
  public ShadowConfig config() {
    return config;
  }

  /** Points the mirror at a reloaded instance of the same shadow version, keeping its window. */
  void retarget(ServedModel reloaded) {
    if (!reloaded.version().equals(shadowVersion)) {
      throw new IllegalArgumentException("retarget needs version " + shadowVersion + ", got "
          + reloaded.version());
    }
    shadow = reloaded;
  }

  /**
   * Offers the primary's answer for mirroring; returns at once. Answers of the shadow version
   * itself (a request that named it) are not mirrored. The inputs and outputs are not copied:
   * the caller must not change the list afterwards (tensors are immutable).
   *
   * @param version the version that answered
   * @param requestId the request's id: it decides the sample
   */
  public void offer(String version, String requestId, List<Tensor> inputs, Tensor[] outputs) {
    if (closed || outputs == null || inputs == null || shadowVersion.equals(version)
        || !Sampler.sampled(requestId, config.sample())) {
      return;
    }
    if (queue.remainingCapacity() == 0) { // full: drop before allocating the entry
      dropped.increment();
      return;
    }
    long bytes = 0;
    for (int i = 0; i < inputs.size(); i++) {
      bytes += inputs.get(i).data().length;
    }
    for (Tensor t : outputs) {
      bytes += t.data().length;
    }
    if (queuedBytes.addAndGet(bytes) > config.maxQueuedBytes()) {
      queuedBytes.addAndGet(-bytes);
      dropped.increment();
      return;
    }
    if (!queue.offer(new Copy(version, requestId, List.copyOf(inputs), outputs, bytes))) {
      queuedBytes.addAndGet(-bytes);
      dropped.increment();
      return;
    }
    mirrored.increment();
  }

  private void drainLoop() {
    BackgroundPriority.applyToCurrentThread();
    while (!closed) {
      Copy c;
      try {
        inFlight.acquire();
        c = queue.take();
      } catch (InterruptedException e) {
        return; // closed
      }
      queuedBytes.addAndGet(-c.bytes);
      try {
        submit(c);
      } catch (RuntimeException e) {
        inFlight.release();
        errors.increment();
        log.warn("{}: mirroring a request to shadow {} failed", model, shadowVersion, e);
      }
    }
  }

  /** Runs one copy on the shadow; holds one in-flight permit until it finishes. */
  private void submit(Copy c) {
    long start = ticker.nanoTime();
    CompletableFuture<Tensor[]> answer;
    try {
      answer = shadow.infer(c.inputs, start + deadlineNanos, "shadow");
    } catch (InferenceException refused) {
      inFlight.release();
      count(refused);
      return;
    }
    ScheduledFuture<?> deadline;
    try {
      deadline = timer.schedule(() -> answer.cancel(false), deadlineNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shutDown) {
      answer.cancel(false);
      deadline = null;
    }
    ScheduledFuture<?> timeout = deadline;
    answer.whenComplete((out, error) -> {
      if (timeout != null) {
        timeout.cancel(false);
      }
      inFlight.release();
      if (error != null) {
        count(error);
        return;
      }
      latency.record(ticker.nanoTime() - start);
      try {
        compare(c, out);
      } catch (RuntimeException e) {
        errors.increment();
        log.warn("{}: comparing shadow {}'s answer failed", model, shadowVersion, e);
      }
    });
  }

  private void compare(Copy c, Tensor[] out) {
    Comparison cmp = Comparison.of(c.primary, out, config.atol(), config.rtol(),
        Divergence.MAX_OUTPUTS);
    String[] names = new String[cmp.outputs];
    for (int i = 0; i < names.length; i++) {
      names[i] = c.primary[i].name();
    }
    divergence.add(cmp, names);
    worst.offer(c.requestId, c.version, cmp.maxAbsDiff, c.inputs, c.primary, out);
  }

  private void count(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    boolean late = e instanceof CancellationException
        || e instanceof InferenceException ie
            && ie.kind() == InferenceException.Kind.DEADLINE_EXCEEDED;
    (late ? timeouts : errors).increment();
  }

  /** What the shadow has done since it started. */
  public ShadowReport report() {
    Histogram h = latency.snapshot();
    boolean any = h.getTotalCount() > 0;
    long[] compared = divergence.comparedAndAgreed();
    return new ShadowReport(model, shadowVersion, config, startedAtMillis, mirrored.sum(),
        dropped.sum(), queue.size(), compared[0], compared[1], errors.sum(), timeouts.sum(),
        any ? h.getValueAtPercentile(50) / 1000.0 : null,
        any ? h.getValueAtPercentile(95) / 1000.0 : null,
        any ? h.getValueAtPercentile(99) / 1000.0 : null,
        divergence.outputs(), worst.worstFirst());
  }

  /**
   * Stops mirroring: later offers are ignored, queued copies are discarded, the drain thread
   * ends. Copies already on the shadow finish (or time out) there. Does not block, and does not
   * close the shadow version (its owner does).
   */
  @Override
  public void close() {
    closed = true;
    drain.interrupt();
    queue.clear();
    queuedBytes.set(0);
  }
}
