package io.mlserve.server.batch;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Groups queued requests of one model version into batches and runs them on a pool of workers,
 * one {@link ModelRunner} each.
 *
 * <p>Policy (after Triton's dynamic batcher): a worker takes as many queued requests as fit in
 * {@code maxBatchSize} rows, in arrival order. With {@code maxQueueDelayNanos == 0} it never
 * waits on a timer: it batches what is already queued, except that under load on a
 * compute-bound model a free worker leaves a small batch to a busy one ({@link SmallBatchHold};
 * never a lone request). With a delay, it waits for more rows only while the
 * batch is not full and the oldest request has waited less than the delay. Requests whose
 * deadline has passed, or that were cancelled, are dropped before inference. An engine failure
 * fails only the requests of that batch.
 *
 * <p>The queue is bounded by count and by time. A full queue refuses at once. A request that
 * waited {@code queueTimeoutNanos} in the queue is dropped when a worker reaches it (like
 * Triton's queue policy timeout), and a new request is refused at once when the oldest queued
 * one has already waited that long, or when the estimated wait (batches ahead of it times the
 * recent time per batch, over the number of workers) is that long or longer; under sustained
 * overload, already when it is a few batch times ({@link QueueAdmission}). All three answer
 * {@code RESOURCE_EXHAUSTED}: under overload the requests that are admitted are served within
 * the timeout rather than all of them late.
 *
 * <p>With {@link ScalingSettings#autoscales()} the number of workers follows the load between
 * its bounds ({@link WorkerScaler} decides on the load integrated from every change of the
 * queue and the busy workers, when a worker takes a batch and at {@link #rescale()});
 * {@link BatchWorkers} starts, retires and joins them.
 *
 * <p>This class is thread-safe. {@link #submit} never blocks. Time comes from the injected
 * {@link Ticker}; tests drive batches synchronously with {@link #runOnce(int)} instead of
 * starting worker threads.
 */
public final class DynamicBatcher implements AutoCloseable {
  // How often an idle worker of an autoscaling batcher wakes to sample the load.
  private static final long IDLE_SAMPLE_NANOS = 1_000_000_000L;

  private final String modelLabel;
  private final BatchSettings settings;
  private final List<ModelRunner> runners;
  private final Ticker ticker;
  private final BatchListener listener;
  private final WakeDeferral wakeDeferral;
  private final BatchRun batchRun;
  private final Runnable deferredWake = this::deferredWake;

  private final ReentrantLock lock = new ReentrantLock();
  // Idle workers (empty queue) wait in idle; workers waiting out the queue delay on batchFull.
  // @GuardedBy("lock")
  private final IdleWorkers idle = new IdleWorkers(lock.newCondition());
  private final Condition batchFull = lock.newCondition();
  private final Condition drained = lock.newCondition();

  // @GuardedBy("lock")
  private final BatchQueue queue;
  // @GuardedBy("lock"): batches taken from the queue and not yet finished
  private int batchesInFlight;
  // @GuardedBy("lock")
  private boolean closed;
  // @GuardedBy("lock"): the queue's time bound (its recent time per batch)
  private final QueueAdmission admission;
  // @GuardedBy("lock")
  private final SmallBatchHold hold;

  // its state is guarded by lock too
  private final BatchWorkers workers;

  /**
   * @param modelLabel names the model version in error messages, e.g. {@code curve_forecaster:1.0.0}
   * @param runners one per worker; the batcher does not close them
   */
  public DynamicBatcher(
      String modelLabel,
      BatchSettings settings,
      List<ModelRunner> runners,
      Ticker ticker,
      BatchListener listener) {
    this(modelLabel, settings, runners, ticker, listener, WakeDeferral.NONE);
  }

  /**
   * @param modelLabel names the model version in error messages, e.g. {@code curve_forecaster:1.0.0}
   * @param runners one per worker; the batcher does not close them
   * @param wakeDeferral how a submit from an event loop defers waking a worker
   */
  public DynamicBatcher(
      String modelLabel,
      BatchSettings settings,
      List<ModelRunner> runners,
      Ticker ticker,
      BatchListener listener,
      WakeDeferral wakeDeferral) {
    this(modelLabel, settings, runners, ScalingSettings.fixed(Math.max(1, runners.size())),
        () -> {
          throw new IllegalStateException("fixed instances");
        }, ticker, listener, wakeDeferral);
  }

  /**
   * @param modelLabel names the model version in error messages, e.g. {@code curve_forecaster:1.0.0}
   * @param runners one per initial worker, within the scaling bounds; the batcher does not close
   *     them
   * @param scaling the bounds of the worker count
   * @param runnerFactory makes the runner of an added worker, called on that worker's thread;
   *     the batcher closes the runners it made
   * @param wakeDeferral how a submit from an event loop defers waking a worker
   */
  public DynamicBatcher(
      String modelLabel,
      BatchSettings settings,
      List<ModelRunner> runners,
      ScalingSettings scaling,
      Supplier<ModelRunner> runnerFactory,
      Ticker ticker,
      BatchListener listener,
      WakeDeferral wakeDeferral) {
    Objects.requireNonNull(scaling, "scaling");
    Objects.requireNonNull(runnerFactory, "runnerFactory");
    this.wakeDeferral = Objects.requireNonNull(wakeDeferral, "wakeDeferral");
    this.modelLabel = Objects.requireNonNull(modelLabel, "modelLabel");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.runners = List.copyOf(Objects.requireNonNull(runners, "runners"));
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.batchRun = new BatchRun(modelLabel, ticker, listener);
    if (this.runners.isEmpty()) {
      throw new IllegalArgumentException("at least one runner is needed");
    }
    if (this.runners.size() < scaling.min() || this.runners.size() > scaling.max()) {
      throw new IllegalArgumentException(this.runners.size() + " runners outside the scaling bounds "
          + scaling.min() + " to " + scaling.max());
    }
    this.queue = new BatchQueue(settings);
    this.admission = new QueueAdmission(modelLabel, settings, this.runners.size());
    this.hold = new SmallBatchHold(settings, !scaling.autoscales());
    this.workers = new BatchWorkers(modelLabel, scaling, runnerFactory, this.runners.size(), lock,
        admission, this::workLoop);
  }

  /** Starts one daemon worker thread per runner. Call once. */
  public void start() {
    start(() -> { });
  }

  /** As {@link #start()}, each worker first running {@code workerSetup}, which must not throw. */
  public void start(Runnable workerSetup) {
    workers.start(runners, Objects.requireNonNull(workerSetup, "workerSetup"));
  }

  /** The bounds of the worker count. */
  public ScalingSettings scaling() {
    return workers.scaling();
  }

  /** Workers now (with autoscaling, between the bounds). */
  public int instances() {
    return locked(() -> workers.count());
  }

  /**
   * Samples the load at the ticker's current time and adds or removes a worker if the scaling
   * policy says so; workers call it as they go, an idle autoscaling worker about once a second.
   * Without started workers only the count changes (tests drive {@link #runOnce} instead).
   */
  public void rescale() {
    lock.lock();
    try {
      sampleLoad(ticker.nanoTime());
    } finally {
      lock.unlock();
    }
  }

  // Reads state under the lock.
  private <T> T locked(Supplier<T> read) {
    lock.lock();
    try {
      return read.get();
    } finally {
      lock.unlock();
    }
  }

  // @GuardedBy("lock"): the queue or the busy workers changed at now
  private void loadChanged(long now) {
    workers.loadChanged(now, batchesInFlight, queue.size());
  }

  // @GuardedBy("lock")
  private void sampleLoad(long now) {
    if (!closed && workers.sample(now, batchesInFlight, queue.size())) {
      idle.wakeAll(); // a worker is to retire: let a waiting one see it
      batchFull.signalAll();
    }
  }

  public BatchSettings settings() {
    return settings;
  }

  /** Whether {@link #drainAndStop} began: new requests are refused. */
  public boolean closed() {
    return locked(() -> closed);
  }

  /** Workers parked on an empty queue now. For tests and diagnostics. */
  int idleWorkers() {
    return locked(() -> idle.count());
  }

  /** Requests waiting in the queue now. */
  public int queueDepth() {
    return locked(() -> queue.size());
  }

  /**
   * Queues one request.
   *
   * @param inputs the request's tensors in signature order, all with {@code rows} rows
   * @param deadlineNanos the {@link Ticker} time after which the request is dropped, or
   *     {@link Long#MAX_VALUE}
   * @return the outputs in signature order, each with {@code rows} rows, and their timing; fails
   *     with an
   *     {@link InferenceException} (deadline, engine failure, shutdown)
   * @throws InferenceException at once when the queue is full ({@code RESOURCE_EXHAUSTED}), the
   *     request has more rows than a batch may hold ({@code INVALID_ARGUMENT}), or the batcher is
   *     closed ({@code UNAVAILABLE})
   */
  public CompletableFuture<BatchResult> submit(Tensor[] inputs, int rows, long deadlineNanos) {
    if (rows < 1 || rows > settings.maxBatchSize()) {
      throw InferenceException.invalid(
          "request has " + rows + " rows; model " + modelLabel + " takes 1 to "
              + settings.maxBatchSize() + " rows per request (max_batch_size)");
    }
    BatchRequest request = new BatchRequest(inputs, rows, ticker.nanoTime(), deadlineNanos);
    Executor later = wakeDeferral.current();
    boolean scheduleWake = false;
    lock.lock();
    try {
      if (closed) {
        throw InferenceException.unavailable("model " + modelLabel + " is shutting down");
      }
      BatchRequest oldest = queue.oldest();
      try {
        admission.admit(queue.size(), queue.rows(),
            oldest == null ? request.enqueuedNanos : oldest.enqueuedNanos,
            request.enqueuedNanos, rows);
      } catch (InferenceException refused) {
        listener.onRejected();
        throw refused;
      }
      queue.add(request);
      hold.arrived(request.enqueuedNanos, rows);
      loadChanged(request.enqueuedNanos);
      if (settings.maxQueueDelayNanos() > 0 && queue.rows() >= settings.maxBatchSize()) {
        batchFull.signal(); // a worker waiting out the queue delay may go now
      }
      scheduleWake = !holding(request.enqueuedNanos)
          && idle.wakeForSubmit(later, queue.rows() >= settings.maxBatchSize());
    } finally {
      lock.unlock();
    }
    if (scheduleWake) {
      try {
        later.execute(deferredWake);
      } catch (RuntimeException rejected) { // the loop is shutting down: wake now
        deferredWake();
      } catch (Error e) { // never leave the wake-up due on a loop that did not take it
        deferredWake();
        throw e;
      }
    }
    return request.result;
  }

  /**
   * Forms at most one batch at the ticker's current time and runs it on the calling thread with
   * runner {@code runnerIndex}. For tests, which drive the batcher without worker threads.
   *
   * @return whether a batch was formed (it may have held only expired requests) or queued
   *     requests were dropped for waiting out the queue timeout
   */
  public boolean runOnce(int runnerIndex) {
    List<BatchRequest> batch;
    List<BatchRequest> timedOut = new ArrayList<>();
    long now = ticker.nanoTime();
    lock.lock();
    try {
      batch = takeBatch(now, timedOut);
    } finally {
      lock.unlock();
    }
    shed(timedOut, now);
    if (batch == null) {
      return !timedOut.isEmpty();
    }
    execute(batch, runners.get(runnerIndex));
    return true;
  }

  /**
   * Nanoseconds the next batch still waits for more rows at the ticker's current time: 0 when a
   * batch can be taken now, -1 when the queue is empty. For tests and diagnostics.
   */
  public long nanosUntilNextBatch() {
    lock.lock();
    try {
      return queue.waitNanos(ticker.nanoTime(), closed);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops accepting requests, lets queued and running batches finish (up to {@code timeout}),
   * then stops the workers. Requests still queued after the timeout fail with UNAVAILABLE.
   * Does not close the runners.
   *
   * @return whether everything finished within the timeout
   */
  public boolean drainAndStop(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    boolean clean;
    List<BatchRequest> abandoned = new ArrayList<>();
    lock.lock();
    try {
      closed = true;
      idle.wakeAll();
      batchFull.signalAll();
      boolean hasWorkers = workers.started() && workers.anyAlive();
      while (hasWorkers && (!queue.isEmpty() || batchesInFlight > 0)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        drained.awaitNanos(left);
      }
      clean = queue.isEmpty() && batchesInFlight == 0;
      abandoned.addAll(queue.removeAll());
      idle.wakeAll();
      batchFull.signalAll();
    } finally {
      lock.unlock();
    }
    for (BatchRequest r : abandoned) {
      r.result.completeExceptionally(
          InferenceException.unavailable("model " + modelLabel + " was unloaded before inference"));
    }
    workers.join(deadline);
    return clean;
  }

  /** {@link #drainAndStop} with a 30 second budget. */
  @Override
  public void close() {
    try {
      drainAndStop(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void workLoop(ModelRunner runner) {
    List<BatchRequest> timedOut = new ArrayList<>();
    while (true) {
      List<BatchRequest> batch;
      long now;
      lock.lock();
      try {
        while (true) {
          if (workers.takeRetirement()) {
            return;
          }
          if (closed && queue.isEmpty()) {
            return;
          }
          now = ticker.nanoTime();
          sampleLoad(now);
          batch = takeBatch(now, timedOut);
          if (!timedOut.isEmpty() && batch == null) {
            break; // answer the dropped requests outside the lock, then look again
          }
          if (batch != null) {
            if (!queue.isEmpty() && !holding(now)) {
              // more than one batch was queued: let another worker take the rest
              if (settings.maxQueueDelayNanos() > 0 && queue.waitNanos(now, closed) == 0) {
                batchFull.signal();
              }
              idle.wakeOne();
            }
            break;
          }
          if (holding(now)) {
            // the busy worker takes the queue when its batch ends; a stalled batch does not
            // hold the rows past their room: the hold is looked at again after recheckNanos
            idle.await(hold.recheckNanos());
            continue;
          }
          long wait = queue.waitNanos(now, closed);
          if (wait < 0) {
            idle.await(workers.scaling().autoscales() ? IDLE_SAMPLE_NANOS : 0);
          } else {
            batchFull.awaitNanos(wait);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        lock.unlock();
      }
      shed(timedOut, now);
      timedOut.clear();
      if (batch != null) {
        execute(batch, runner);
      }
    }
  }

  // Outside the lock: fails the requests that waited out the queue timeout.
  private void shed(List<BatchRequest> timedOut, long now) {
    for (BatchRequest r : timedOut) {
      long waited = now - r.enqueuedNanos;
      listener.onQueueTimeout();
      listener.onRequestDone(waited, 0, false);
      r.result.completeExceptionally(admission.queueTimeout(waited));
    }
  }

  private void deferredWake() {
    lock.lock();
    try {
      idle.deferredWakeRan(!queue.isEmpty() && !holding(ticker.nanoTime()));
    } finally {
      lock.unlock();
    }
  }

  // @GuardedBy("lock"): removes and returns the next batch, or null if none is ready; see
  // BatchQueue#take.
  private List<BatchRequest> takeBatch(long now, List<BatchRequest> timedOut) {
    List<BatchRequest> batch = holding(now) ? null : queue.take(now, closed, timedOut);
    if (batch == null) {
      loadChanged(now);
      signalIfDrained();
      return null;
    }
    batchesInFlight++;
    loadChanged(now);
    return batch;
  }

  // @GuardedBy("lock"): whether a free worker leaves the queue to a busy one now
  private boolean holding(long now) {
    return hold.holds(now, queue.rows(), queue.oldest(), batchesInFlight, closed);
  }

  // @GuardedBy("lock")
  private void signalIfDrained() {
    if (batchesInFlight == 0 && queue.isEmpty()) {
      drained.signalAll();
    }
  }

  private void execute(List<BatchRequest> batch, ModelRunner runner) {
    long start = ticker.nanoTime();
    boolean ran = false;
    try {
      ran = batchRun.run(batch, runner);
    } finally {
      long took = ticker.nanoTime() - start;
      lock.lock();
      try {
        batchesInFlight--;
        loadChanged(start + took);
        if (ran) {
          admission.batchRan(took);
          hold.batchRan(batch, took);
        }
        signalIfDrained();
      } finally {
        lock.unlock();
      }
    }
  }
}
