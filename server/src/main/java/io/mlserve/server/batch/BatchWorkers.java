package io.mlserve.server.batch;

import io.mlserve.server.engine.ModelRunner;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker threads of one {@link DynamicBatcher}: starts them, counts them, follows the
 * {@link WorkerScaler}'s decisions between the {@link ScalingSettings} bounds, and joins them on
 * drain. An added worker gets a runner put aside by a removed one, or makes its own on its own
 * thread from the runner factory (a runner is not thread-safe); a removed worker finishes its
 * batch, puts aside a runner it was given or closes one it made, and exits. What a worker does
 * with its runner (the batcher's work loop) is given to it.
 *
 * <p>Thread-safety: the counts, the set-aside runners and the scaler are guarded by the
 * batcher's lock, shared with this class. Methods marked {@code @GuardedBy("lock")} expect it
 * held; {@link #start} and the worker threads take it themselves. The list of live threads has
 * its own monitor, so {@link #join} waits without the lock.
 */
final class BatchWorkers {
  // Under the batcher's name, as its workers have always logged.
  private static final Logger log = LoggerFactory.getLogger(DynamicBatcher.class);

  private final String modelLabel;
  private final ScalingSettings scaling;
  private final Supplier<ModelRunner> runnerFactory;
  private final ReentrantLock lock;
  private final Consumer<ModelRunner> workLoop;
  // @GuardedBy("lock")
  private final QueueAdmission admission;
  // @GuardedBy("lock")
  private final WorkerScaler scaler;
  // @GuardedBy("lock"): workers now, counting those started and not yet running
  private int count;
  // @GuardedBy("lock"): workers asked to exit and not yet gone
  private int retiring;
  // @GuardedBy("lock"): given runners whose worker was removed, for the next added worker
  private final ArrayDeque<ModelRunner> spareRunners = new ArrayDeque<>();
  // @GuardedBy("lock"): set by start
  private Runnable workerSetup;
  // @GuardedBy("lock")
  private int started;
  // @GuardedBy("threads")
  private final List<Thread> threads = new ArrayList<>();

  /**
   * @param initialCount the workers {@link #start} will start, within the scaling bounds
   * @param lock the batcher's lock, which guards this class's state too
   * @param admission told the worker count whenever it changes
   * @param workLoop runs a worker with its runner until the worker should exit, taking
   *     {@link #takeRetirement} into account
   */
  BatchWorkers(String modelLabel, ScalingSettings scaling, Supplier<ModelRunner> runnerFactory,
      int initialCount, ReentrantLock lock, QueueAdmission admission,
      Consumer<ModelRunner> workLoop) {
    this.modelLabel = modelLabel;
    this.scaling = scaling;
    this.runnerFactory = runnerFactory;
    this.lock = lock;
    this.admission = admission;
    this.workLoop = workLoop;
    this.scaler = new WorkerScaler(scaling);
    this.count = initialCount;
  }

  /** Starts one daemon worker per runner, each first running {@code workerSetup}. Call once. */
  void start(List<ModelRunner> runners, Runnable workerSetup) {
    lock.lock();
    try {
      if (this.workerSetup != null) {
        throw new IllegalStateException("already started");
      }
      this.workerSetup = workerSetup;
      runners.forEach(this::startWorker);
    } finally {
      lock.unlock();
    }
  }

  ScalingSettings scaling() {
    return scaling;
  }

  // @GuardedBy("lock"): workers now (with autoscaling, between the bounds).
  int count() {
    return count;
  }

  // @GuardedBy("lock"): whether start was called.
  boolean started() {
    return workerSetup != null;
  }

  /**
   * The batcher's counts changed at {@code now}: the scaler integrates its load from them. Does
   * nothing without autoscaling. {@code @GuardedBy("lock")}.
   *
   * @param busy workers running a batch now
   * @param queued requests waiting now
   */
  void loadChanged(long now, int busy, int queued) {
    if (scaling.autoscales()) {
      scaler.loadChanged(now, count, busy, queued);
    }
  }

  /**
   * Adds or removes a worker if the scaling policy says so from the load integrated so far.
   * Without started workers only the count changes. {@code @GuardedBy("lock")}.
   *
   * @param busy workers running a batch now
   * @param queued requests waiting now
   * @return whether a running worker was asked to exit: the caller wakes its waiting workers so
   *     that one sees {@link #takeRetirement}
   */
  boolean sample(long now, int busy, int queued) {
    if (!scaling.autoscales()) {
      return false;
    }
    scaler.loadChanged(now, count, busy, queued);
    int step = scaler.decide(now, count);
    if (step == 0) {
      return false;
    }
    count += step;
    admission.workers(count);
    scaler.loadChanged(now, count, busy, queued);
    log.info("{}: {} a worker ({} now, {} to {}): {}", modelLabel,
        step > 0 ? "adding" : "removing", count, scaling.min(), scaling.max(),
        scaler.lastStepLoad());
    if (workerSetup == null) {
      return false;
    }
    if (step > 0) {
      startWorker(spareRunners.pollFirst());
      return false;
    }
    retiring++;
    return true;
  }

  // @GuardedBy("lock"): whether the calling worker is to exit now; it counts itself gone if so.
  boolean takeRetirement() {
    if (retiring > 0) {
      retiring--;
      return true;
    }
    return false;
  }

  /** Whether any worker thread is still alive. */
  boolean anyAlive() {
    synchronized (threads) {
      return !threads.isEmpty();
    }
  }

  /** Waits for the worker threads to exit, until {@code deadlineNanos} ({@link System#nanoTime}). */
  void join(long deadlineNanos) throws InterruptedException {
    List<Thread> running;
    synchronized (threads) {
      running = List.copyOf(threads);
    }
    for (Thread t : running) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
    }
  }

  // @GuardedBy("lock"): starts a worker with the given runner, or one it makes when null.
  private void startWorker(ModelRunner given) {
    Runnable setup = workerSetup;
    Thread t = new Thread(() -> {
      try {
        setup.run();
        runWorker(given);
      } finally {
        synchronized (threads) {
          threads.remove(Thread.currentThread());
        }
      }
    }, "batcher-" + modelLabel + "-" + started++);
    t.setDaemon(true);
    synchronized (threads) {
      threads.add(t);
    }
    t.start();
  }

  private void runWorker(ModelRunner given) {
    ModelRunner runner = given;
    if (runner == null) {
      try {
        runner = runnerFactory.get();
      } catch (RuntimeException e) {
        log.warn("{}: an added worker could not make its runner: {}", modelLabel, e.getMessage());
        lock.lock();
        try {
          count--;
          admission.workers(count);
        } finally {
          lock.unlock();
        }
        return;
      }
    }
    try {
      workLoop.accept(runner);
    } finally {
      if (given == null) {
        runner.close();
      } else {
        lock.lock();
        try {
          spareRunners.addLast(given);
        } finally {
          lock.unlock();
        }
      }
    }
  }
}
