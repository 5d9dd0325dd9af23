package io.mlserve.loadtest;

import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferResponse;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closed-loop load: {@code concurrency} slots each keep exactly one {@code ModelInfer} call in
 * flight, sending the next the moment the last completes, for a warm-up and then a measured
 * window. Slot {@code i} uses channel {@code i mod channels}, so the calls are spread round-robin.
 *
 * <p>Before any load, one probe request must succeed within the spec's connect timeout; if it
 * does not, the run ends at once with that failure counted and an abort reason.
 *
 * <p>Latency runs from just before a call is started to its completion. In a closed loop the
 * intended send time is the actual one (the previous completion), so this is free of coordinated
 * omission by construction; throughput, not latency, is what a slow server takes away.
 *
 * <p>A failed call is counted by status code and the slot goes on; after {@code UNAVAILABLE}
 * (no connection) it waits {@value #UNAVAILABLE_BACKOFF_MS} ms first so a dead target does not
 * turn the loop into a busy spin. Re-sends after failures go through the scheduler, never
 * recursively from the callback.
 *
 * <p>This class is thread-safe; {@link #run()} may be called once. Callbacks run on whatever
 * executor the channels use (the {@code run} command gives them {@code directExecutor()}, so the
 * transport threads send the next call themselves).
 */
final class ClosedLoopDriver implements LiveView {
  static final long UNAVAILABLE_BACKOFF_MS = 10;

  /** How long calls still in flight at the end of the window may take to come back. */
  static final long DRAIN_TIMEOUT_MS = 10_000;

  private enum Phase { PROBE, WARMUP, MEASURE, DRAIN }

  private final RunSpec spec;
  private final List<? extends Channel> channels;
  private final ScheduledExecutorService scheduler;
  private final List<ModelInferRequest> requests;
  private final RunStats warmupStats = new RunStats();
  private final RunStats measureStats = new RunStats();
  private final LongAdder completed = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean started = new AtomicBoolean();
  private final CountDownLatch retired;
  private volatile Phase phase = Phase.PROBE;

  /**
   * @param channels at least {@code spec.channels()}; the caller owns and closes them
   * @param scheduler runs re-sends after failures; the caller owns it
   */
  ClosedLoopDriver(RunSpec spec, List<? extends Channel> channels,
      ScheduledExecutorService scheduler) {
    this.spec = requireNonNull(spec, "spec");
    this.channels = List.copyOf(requireNonNull(channels, "channels"));
    this.scheduler = requireNonNull(scheduler, "scheduler");
    if (this.channels.size() < spec.channels()) {
      throw new IllegalArgumentException(
          "spec wants " + spec.channels() + " channels, got " + this.channels.size());
    }
    this.requests = InferRequests.pool(spec);
    this.retired = new CountDownLatch(spec.concurrency());
  }

  /** Probes, warms up, measures, drains; blocks for the whole run. */
  RunResult run() throws InterruptedException {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("a driver runs once");
    }
    String failure = probe();
    if (failure != null) {
      phase = Phase.DRAIN;
      return RunResult.aborted(spec, measureStats, failure);
    }
    Slot[] slots = new Slot[spec.concurrency()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot(channels.get(i % spec.channels()), i);
    }
    long warmupNanos = spec.warmup().toNanos();
    phase = warmupNanos > 0 ? Phase.WARMUP : Phase.MEASURE;
    long windowStart = System.nanoTime();
    for (Slot slot : slots) {
      slot.send();
    }
    if (warmupNanos > 0) {
      sleepUntil(windowStart + warmupNanos);
      windowStart = System.nanoTime();
      phase = Phase.MEASURE;
    }
    sleepUntil(windowStart + spec.duration().toNanos());
    phase = Phase.DRAIN;
    long windowNanos = System.nanoTime() - windowStart;
    retired.await(DRAIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    return RunResult.measured(spec, measureStats, windowNanos, inFlight.get());
  }

  @Override
  public String phase() {
    return phase.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public long completed() {
    return completed.sum();
  }

  @Override
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public RunStats stats() {
    return phase == Phase.WARMUP ? warmupStats : measureStats;
  }

  /** Null when the probe succeeded, else why the run cannot go on. Counts a failure. */
  private String probe() {
    try {
      GRPCInferenceServiceGrpc.newBlockingStub(channels.get(0))
          .withDeadlineAfter(spec.connectTimeout().toNanos(), TimeUnit.NANOSECONDS)
          .modelInfer(requests.get(0));
      return null;
    } catch (StatusRuntimeException e) {
      Status status = e.getStatus();
      measureStats.recordError(status.getCode());
      String what = status.getCode() == Status.Code.UNAVAILABLE
          || status.getCode() == Status.Code.DEADLINE_EXCEEDED
          ? "target unreachable" : "probe request failed";
      return what + " (" + spec.target() + "): " + status.getCode()
          + (status.getDescription() == null ? "" : ": " + status.getDescription());
    }
  }

  private void record(long micros, Status.Code error) {
    completed.increment();
    Phase p = phase;
    RunStats stats = p == Phase.WARMUP ? warmupStats : p == Phase.MEASURE ? measureStats : null;
    if (stats == null) {
      return; // completed after the window closed
    }
    if (error == null) {
      stats.recordOk(micros);
    } else {
      stats.recordError(error);
    }
  }

  private static void sleepUntil(long deadlineNanos) throws InterruptedException {
    long left;
    while ((left = deadlineNanos - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  /**
   * One closed-loop lane: at most one call outstanding, so its fields are only touched by the
   * thread that starts a call and then by that call's callbacks; gRPC's hand-off between the two
   * orders those accesses.
   */
  private final class Slot implements StreamObserver<ModelInferResponse> {
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub;
    private int next;
    private long sentNanos;

    Slot(Channel channel, int offset) {
      this.stub = GRPCInferenceServiceGrpc.newStub(channel);
      this.next = offset % requests.size();
    }

    void send() {
      if (phase == Phase.DRAIN) {
        retired.countDown();
        return;
      }
      ModelInferRequest request = requests.get(next);
      next = next + 1 == requests.size() ? 0 : next + 1;
      inFlight.incrementAndGet();
      sentNanos = System.nanoTime();
      stub.modelInfer(request, this);
    }

    @Override
    public void onNext(ModelInferResponse response) {
      // The payload is not checked here; EchoServerTest and the server's own tests do that.
    }

    @Override
    public void onCompleted() {
      long micros = (System.nanoTime() - sentNanos) / 1_000;
      inFlight.decrementAndGet();
      record(micros, null);
      send();
    }

    @Override
    public void onError(Throwable t) {
      inFlight.decrementAndGet();
      Status.Code code = Status.fromThrowable(t).getCode();
      record(0, code);
      long delay = code == Status.Code.UNAVAILABLE ? UNAVAILABLE_BACKOFF_MS : 0;
      try {
        scheduler.schedule(this::send, delay, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        retired.countDown(); // the run is over and its scheduler gone
      }
    }
  }
}
