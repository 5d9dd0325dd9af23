package io.mlserve.server.metrics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Cumulative counts and nanoseconds of one model version's requests and executions, in the
 * shape of Triton's statistics extension: successes and failures with their end-to-end time,
 * queue time and the three compute phases per successful request, inferences (rows) and
 * executions (batches), the same phases per batch size, and the wall-clock time of the last
 * inference. The histograms in {@link ModelMetrics} hold distributions; these are the plain sums
 * a client samples to compute averages between two reads.
 *
 * <p>Recording takes no lock and allocates nothing once a batch size has been seen (at most
 * {@value #MAX_BATCH_SIZES} sizes are tracked per version; batches of other sizes still count in
 * every total). This class is thread-safe; a {@link #snapshot} is not atomic across counters
 * (each counter is exact, two counters may be a request apart).
 */
public final class ExecutionStats {
  /** Distinct batch sizes tracked: the batcher's own limit (ServingConfig.MAX_BATCH_SIZE). */
  public static final int MAX_BATCH_SIZES = 4096;

  /** A count and the nanoseconds it took in total. */
  public record Duration(long count, long ns) {}

  /** The compute phases of the executions of one batch size. */
  public record BatchSize(int batchSize, Duration computeInput, Duration computeInfer,
      Duration computeOutput) {}

  /** Everything at one point in time. */
  public record Snapshot(long lastInferenceMillis, long inferenceCount, long executionCount,
      Duration success, Duration fail, Duration queue, Duration computeInput,
      Duration computeInfer, Duration computeOutput, List<BatchSize> batchSizes) {}

  /** A count with its nanoseconds. */
  private static final class Sum {
    final LongAdder count = new LongAdder();
    final LongAdder nanos = new LongAdder();

    void add(long n, long ns) {
      count.add(n);
      nanos.add(ns);
    }

    Duration read() {
      return new Duration(count.sum(), nanos.sum());
    }
  }

  private static final class Phases {
    final Sum input = new Sum();
    final Sum infer = new Sum();
    final Sum output = new Sum();

    void add(long n, long inputNanos, long inferNanos, long outputNanos) {
      input.add(n, n * inputNanos);
      infer.add(n, n * inferNanos);
      output.add(n, n * outputNanos);
    }
  }

  private final Clock clock;
  private final Sum success = new Sum();
  private final Sum fail = new Sum();
  private final Sum queue = new Sum();
  private final Phases perRequest = new Phases();
  private final LongAdder inferences = new LongAdder();
  private final LongAdder executions = new LongAdder();
  private final Map<Integer, Phases> bySize = new ConcurrentHashMap<>();
  private volatile long lastInferenceMillis;

  /** @param clock the wall clock {@code last_inference} is read from */
  public ExecutionStats(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A request got its outputs after {@code nanos} in the server. */
  public void succeeded(long nanos) {
    success.add(1, Math.max(0, nanos));
  }

  /** A request failed after {@code nanos} (cancelled requests are neither). */
  public void failed(long nanos) {
    fail.add(1, Math.max(0, nanos));
  }

  /** A request that got its outputs waited {@code nanos} in the queue. */
  public void queued(long nanos) {
    queue.add(1, Math.max(0, nanos));
  }

  /** {@code count} requests that got their outputs waited {@code sumNanos} in the queue in all. */
  public void queued(int count, long sumNanos) {
    queue.add(count, Math.max(0, sumNanos));
  }

  /**
   * One successful execution of {@code requests} requests holding {@code rows} rows in all; each
   * request is charged the execution's phase times (as Triton does for a batch).
   */
  public void executed(int requests, int rows, long inputNanos, long inferNanos,
      long outputNanos) {
    long in = Math.max(0, inputNanos);
    long inf = Math.max(0, inferNanos);
    long out = Math.max(0, outputNanos);
    executions.increment();
    inferences.add(rows);
    perRequest.add(requests, in, inf, out);
    Phases size = bySize.get(rows);
    if (size == null && bySize.size() < MAX_BATCH_SIZES) {
      size = bySize.computeIfAbsent(rows, k -> new Phases());
    }
    if (size != null) {
      size.add(1, in, inf, out);
    }
    lastInferenceMillis = clock.millis();
  }

  /** The counters now, batch sizes ascending. */
  public Snapshot snapshot() {
    List<BatchSize> sizes = new ArrayList<>(bySize.size());
    bySize.forEach((size, p) ->
        sizes.add(new BatchSize(size, p.input.read(), p.infer.read(), p.output.read())));
    sizes.sort((a, b) -> Integer.compare(a.batchSize(), b.batchSize()));
    return new Snapshot(lastInferenceMillis, inferences.sum(), executions.sum(), success.read(),
        fail.read(), queue.read(), perRequest.input.read(), perRequest.infer.read(),
        perRequest.output.read(), sizes);
  }
}
