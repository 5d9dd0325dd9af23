package io.mlserve.server.bulk;

import io.mlserve.errors.ClientText;
import io.mlserve.server.core.Failure;
import io.mlserve.server.tensor.Tensor;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * One asynchronous batch job: its rows run through {@link ChunkedInference} in the background;
 * callers poll its state. Holds its result until it is deleted or expires.
 *
 * <p>This class is thread-safe: state is written by batcher workers and read by event loops.
 */
public final class BulkJob {
  public enum State {
    RUNNING,
    DONE,
    FAILED,
    CANCELLED;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final String id;
  private final String model;
  private final String version;
  private final long reservedBytes;
  private final ChunkedInference run;
  private final boolean batchable;
  private final java.util.List<String> outputNames;
  private volatile State state = State.RUNNING;
  private volatile Tensor[][] result;
  private volatile String error;
  /** Ticker time the job finished; meaningful once state is not RUNNING. */
  private volatile long finishedNanos;

  public BulkJob(String id, ChunkedInference run, boolean batchable, long reservedBytes) {
    this.id = Objects.requireNonNull(id, "id");
    this.batchable = batchable;
    this.run = Objects.requireNonNull(run, "run");
    this.model = run.model().name();
    this.version = run.model().version();
    this.reservedBytes = reservedBytes;
    this.outputNames = run.model().manifest().signature().outputs().stream()
        .map(io.mlserve.store.TensorSpec::name).toList();
  }

  public String id() {
    return id;
  }

  public String model() {
    return model;
  }

  /** The versions that answered so far (more than one when a reload happened mid-run). */
  public java.util.List<String> versions() {
    return run.versions();
  }

  public String version() {
    return version;
  }

  long reservedBytes() {
    return reservedBytes;
  }

  public State state() {
    return state;
  }

  public int total() {
    return run.totalRows();
  }

  public long processed() {
    return run.processedRows();
  }

  /** The outputs of each chunk, once DONE; else null. */
  public Tensor[][] result() {
    return result;
  }

  public String error() {
    return error;
  }

  long finishedNanos() {
    return finishedNanos;
  }

  /** Output names in signature order. */
  public java.util.List<String> outputNames() {
    return outputNames;
  }

  /** Starts the run; its outcome is recorded with the ticker's time. */
  public void start(io.mlserve.server.batch.Ticker ticker) {
    run.start().whenComplete((out, err) -> finish(out, err, ticker.nanoTime()));
  }

  public boolean batchable() {
    return batchable;
  }

  /** Records the outcome; the first outcome wins (a cancel beats a late completion). */
  synchronized void finish(Tensor[][] outputs, Throwable failure, long nowNanos) {
    if (state != State.RUNNING) {
      return;
    }
    finishedNanos = nowNanos;
    if (failure == null) {
      result = outputs;
      state = State.DONE;
      return;
    }
    Throwable e = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (e instanceof CancellationException) {
      state = State.CANCELLED;
    } else {
      error = ClientText.scrub(Failure.of(e).message()); // as a synchronous request would say it
      state = State.FAILED;
    }
  }

  /** Cancels a running job; returns whether it was running. */
  boolean cancel(long nowNanos) {
    synchronized (this) {
      if (state != State.RUNNING) {
        return false;
      }
      finishedNanos = nowNanos;
      state = State.CANCELLED;
    }
    run.cancel();
    return true;
  }
}
