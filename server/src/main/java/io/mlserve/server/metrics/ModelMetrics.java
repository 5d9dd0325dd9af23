package io.mlserve.server.metrics;

import io.mlserve.server.batch.BatchListener;
import io.mlserve.server.core.InferenceException;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The metrics of one served model version: request counts by outcome, in-flight requests,
 * latency by phase (total, queue, compute), batch sizes, expired and rejected requests. Recording
 * takes no lock and allocates nothing.
 *
 * <p>This class is thread-safe.
 */
public final class ModelMetrics implements BatchListener {
  /** How a request ended: OK, or the failure kind. */
  public static final String[] OUTCOMES = outcomeNames();

  private final String model;
  private final String version;
  private final LatencyTracker total = new LatencyTracker();
  private final LatencyTracker queue = new LatencyTracker();
  private final LatencyTracker compute = new LatencyTracker();
  private final Recorder batchRows = new Recorder(1 << 20, 3);
  private final LongAdder[] outcomes = new LongAdder[OUTCOMES.length];
  private final LongAdder batches = new LongAdder();
  private final LongAdder batchRowsTotal = new LongAdder();
  private final LongAdder expired = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder queueTimeouts = new LongAdder();
  private final AtomicLong inFlight = new AtomicLong();
  private final ExecutionStats execution;
  private volatile IntSupplier queueDepth = () -> 0;
  private volatile String device;
  private volatile IntSupplier instances = () -> 0;
  private volatile int minInstances;
  private volatile int maxInstances;
  private volatile java.util.function.BooleanSupplier loaded = () -> false;
  private final LongAdder unloads = new LongAdder();
  private final LongAdder reloads = new LongAdder();
  // @GuardedBy("this")
  private final Histogram batchCumulative = new Histogram(1 << 20, 3);
  // @GuardedBy("this")
  private Histogram batchInterval;

  public ModelMetrics(String model, String version) {
    this(model, version, Clock.systemUTC());
  }

  /** @param clock where the time of the last inference is read ({@link #execution()}) */
  public ModelMetrics(String model, String version, Clock clock) {
    this.model = Objects.requireNonNull(model, "model");
    this.version = Objects.requireNonNull(version, "version");
    this.execution = new ExecutionStats(clock);
    for (int i = 0; i < outcomes.length; i++) {
      outcomes[i] = new LongAdder();
    }
  }

  private static String[] outcomeNames() {
    InferenceException.Kind[] kinds = InferenceException.Kind.values();
    String[] names = new String[kinds.length + 2];
    names[0] = "ok";
    for (int i = 0; i < kinds.length; i++) {
      names[i + 1] = kinds[i].name().toLowerCase(java.util.Locale.ROOT);
    }
    names[kinds.length + 1] = "cancelled"; // by the client: neither a success nor a failure
    return names;
  }

  public String model() {
    return model;
  }

  public String version() {
    return version;
  }

  private static final int CANCELLED = OUTCOMES.length - 1;

  /** The device that serves this version ({@code cpu}, {@code gpu0}, ...), once loaded. */
  public void servedOn(String device) {
    this.device = device;
  }

  /** The device that serves this version; null until {@link #servedOn} was called. */
  public String device() {
    return device;
  }

  /** Where the queue depth gauge reads from (the version's batcher). */
  public void queueDepthFrom(IntSupplier supplier) {
    this.queueDepth = Objects.requireNonNull(supplier, "supplier");
  }

  /** Where the worker gauges read from: the batcher's current count and its bounds. */
  public void instancesFrom(IntSupplier current, int min, int max) {
    this.instances = Objects.requireNonNull(current, "current");
    this.minInstances = min;
    this.maxInstances = max;
  }

  /** Batcher workers now (0 when none is loaded). */
  public int instances() {
    return instances.getAsInt();
  }

  /** Where the loaded gauge reads from (the version's engine slot). */
  public void loadedFrom(java.util.function.BooleanSupplier supplier) {
    this.loaded = Objects.requireNonNull(supplier, "supplier");
  }

  /** 1 while the version's engine is loaded, 0 while unloaded after being idle (or retired). */
  public int loaded() {
    return loaded.getAsBoolean() ? 1 : 0;
  }

  /** The version's engine was unloaded after being idle. */
  public void recordUnload() {
    unloads.increment();
  }

  /** The version's engine was loaded again on demand after an idle unload. */
  public void recordReload() {
    reloads.increment();
  }

  /** Idle unloads since start. */
  public long unloads() {
    return unloads.sum();
  }

  /** Loads on demand after an idle unload since start. */
  public long reloads() {
    return reloads.sum();
  }

  public int minInstances() {
    return minInstances;
  }

  public int maxInstances() {
    return maxInstances;
  }

  /** A request entered the model (validated or not). */
  public void requestStarted() {
    inFlight.incrementAndGet();
  }

  /**
   * A request ended.
   *
   * @param failure null when it succeeded
   */
  public void requestFinished(long totalNanos, InferenceException.Kind failure) {
    inFlight.decrementAndGet();
    total.record(totalNanos);
    outcomes[failure == null ? 0 : failure.ordinal() + 1].increment();
    if (failure == null) {
      execution.succeeded(totalNanos);
    } else {
      execution.failed(totalNanos);
    }
  }

  /** A request ended because its caller cancelled it (went away or gave up). */
  public void requestCancelled(long totalNanos) {
    inFlight.decrementAndGet();
    total.record(totalNanos);
    outcomes[CANCELLED].increment();
  }

  /**
   * A request left before it was queued because this version was being unloaded; the router
   * retries it on the successor, so it is neither a success nor a failure here.
   */
  public void requestHandedOver() {
    inFlight.decrementAndGet();
  }

  /** Counts an outcome for a request that is not in flight here (a retry that found no home). */
  public void recordOutcome(InferenceException.Kind failure) {
    outcomes[failure == null ? 0 : failure.ordinal() + 1].increment();
  }

  @Override
  public void onRequestDone(long queueNanos, long computeNanos, boolean ok) {
    queue.record(queueNanos);
    if (computeNanos > 0) {
      compute.record(computeNanos);
    }
    if (ok) {
      execution.queued(queueNanos);
    }
  }

  /** The batch's requests in one go: compute time and the queue-time sum once per batch. */
  @Override
  public void onBatchDone(long[] queueNanos, int count, long computeNanos) {
    long sum = 0;
    for (int i = 0; i < count; i++) {
      queue.record(queueNanos[i]);
      sum += Math.max(0, queueNanos[i]);
    }
    if (computeNanos > 0) {
      compute.record(computeNanos, count);
    }
    execution.queued(count, sum);
  }

  @Override
  public void onExecution(int requests, int rows, long inputNanos, long inferNanos,
      long outputNanos) {
    execution.executed(requests, rows, inputNanos, inferNanos, outputNanos);
  }

  @Override
  public void onBatch(int requests, int rows, long computeNanos) {
    batches.increment();
    batchRowsTotal.add(rows);
    batchRows.recordValue(Math.min(rows, 1 << 20));
  }

  @Override
  public void onRejected() {
    rejected.increment();
  }

  @Override
  public void onExpired() {
    expired.increment();
  }

  @Override
  public void onQueueTimeout() {
    queueTimeouts.increment();
  }

  /** Cumulative per-phase sums in the shape of Triton's statistics extension. */
  public ExecutionStats execution() {
    return execution;
  }

  public LatencyTracker total() {
    return total;
  }

  public LatencyTracker queue() {
    return queue;
  }

  public LatencyTracker compute() {
    return compute;
  }

  /** Cumulative batch-size (rows) distribution. */
  public synchronized Histogram batchSizes() {
    batchInterval = batchRows.getIntervalHistogram(batchInterval);
    batchCumulative.add(batchInterval);
    return batchCumulative.copy();
  }

  public long outcomeCount(int index) {
    return outcomes[index].sum();
  }

  public long batches() {
    return batches.sum();
  }

  /** Rows of every batch run so far (with {@link #batches()}: the mean batch size). */
  public long batchRowsTotal() {
    return batchRowsTotal.sum();
  }

  /** Requests that ended, of every outcome. */
  public long requestsTotal() {
    long n = 0;
    for (LongAdder o : outcomes) {
      n += o.sum();
    }
    return n;
  }

  public long expired() {
    return expired.sum();
  }

  public long rejected() {
    return rejected.sum();
  }

  /** Requests dropped from the queue after waiting out its timeout (queue_timeout_us). */
  public long queueTimeouts() {
    return queueTimeouts.sum();
  }

  public long inFlight() {
    return inFlight.get();
  }

  public int queueDepth() {
    return queueDepth.getAsInt();
  }

  /** Requests that failed, of any kind (cancelled ones are not failures). */
  public long failures() {
    long n = 0;
    for (int i = 1; i < CANCELLED; i++) {
      n += outcomes[i].sum();
    }
    return n;
  }
}
