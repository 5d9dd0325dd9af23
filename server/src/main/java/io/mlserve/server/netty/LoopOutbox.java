package io.mlserve.server.netty;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands work from other threads to one event loop in runs: what a batcher worker completes for
 * the calls of one connection (one answer per request of a batch, in a burst) reaches the loop
 * as one task that runs every answer queued by then, instead of one task per answer. The loop
 * then writes the whole run before its next flush (grpc-java flushes once per scheduled flush
 * task), so a batch of answers costs one socket write and one wake-up of the loop, not several.
 *
 * <p>Nothing is lost or run twice: {@link #execute} queues the work, then schedules a drain only
 * when none is pending; a drain runs until the queue is empty and checks once more after
 * clearing its flag, so work queued while it ran is run by it or by the drain its producer
 * scheduled. When the loop refuses the task (it is shutting down), the drain runs on the calling
 * thread, as a direct call would.
 *
 * <p>This class is thread-safe: any number of producers; drains never overlap on the loop.
 */
public final class LoopOutbox implements Executor {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LoopOutbox.class);

  private final Executor loop;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;

  /** @param loop the event loop (or any executor) the work runs on */
  public LoopOutbox(Executor loop) {
    this.loop = Objects.requireNonNull(loop, "loop");
  }

  /** The loop this outbox hands work to. */
  public Executor loop() {
    return loop;
  }

  /** Queues {@code work} to run on the loop with whatever else is queued when it drains. */
  @Override
  public void execute(Runnable work) {
    queue.add(Objects.requireNonNull(work, "work"));
    if (scheduled.compareAndSet(false, true)) {
      try {
        loop.execute(drain);
      } catch (RejectedExecutionException shuttingDown) {
        drain(); // the loop is going away: answer here rather than never
      }
    }
  }

  private void drain() {
    for (;;) {
      Runnable r;
      while ((r = queue.poll()) != null) {
        try {
          r.run();
        } catch (RuntimeException e) {
          log.error("work handed to an event loop failed", e);
        }
      }
      scheduled.set(false);
      // Work queued after the last poll but before the flag cleared scheduled nothing: run it.
      if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
        return;
      }
    }
  }
}
