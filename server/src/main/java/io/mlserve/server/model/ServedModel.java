package io.mlserve.server.model;

import io.mlserve.server.batch.BatchResult;
import io.mlserve.server.batch.DynamicBatcher;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.metrics.ModelMetrics;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.Manifest;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded, warmed model version ready to serve: its manifest, its batcher, and the engine
 * resources behind them. Everything kept per version lives here, so replacing the object in the
 * router replaces all of it at once.
 *
 * <p>This class is thread-safe.
 */
public final class ServedModel implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServedModel.class);

  private final Manifest manifest;
  private final LoadedModel loaded;
  private final List<ModelRunner> runners;
  private final DynamicBatcher batcher;
  private final RequestValidator validator;
  private final boolean batchable;
  private final ModelMetrics metrics;
  private final Telemetry telemetry;
  private final Ticker ticker;

  ServedModel(
      Manifest manifest,
      LoadedModel loaded,
      List<ModelRunner> runners,
      DynamicBatcher batcher,
      RequestValidator validator,
      ModelMetrics metrics,
      Telemetry telemetry,
      Ticker ticker) {
    this.manifest = Objects.requireNonNull(manifest, "manifest");
    this.loaded = Objects.requireNonNull(loaded, "loaded");
    this.runners = List.copyOf(runners);
    this.batcher = Objects.requireNonNull(batcher, "batcher");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.batchable = validator.batchable();
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    metrics.queueDepthFrom(batcher::queueDepth);
    metrics.servedOn(loaded.device());
    metrics.instancesFrom(batcher::instances, batcher.scaling().min(), batcher.scaling().max());
  }

  /** The device that serves this version ({@code cpu}, {@code gpu0}, ...). */
  public String device() {
    return loaded.device();
  }

  /**
   * The most rows one batch may hold: the manifest's {@code max_batch_size}, or 1 when the
   * artifact fixes its batch dimension (or the signature has no batch dimension).
   */
  public int maxBatchSize() {
    return batcher.settings().maxBatchSize();
  }

  /** Whether the artifact fixes its batch dimension, which turns batching off. */
  public boolean fixedBatch() {
    return !loaded.dynamicBatch();
  }

  public String name() {
    return manifest.name();
  }

  public String version() {
    return manifest.version();
  }

  public Manifest manifest() {
    return manifest;
  }

  /**
   * Whether requests carry a batch dimension (every input's first dimension is -1) that the
   * batcher joins requests along; false: each request runs alone as it came.
   */
  public boolean batchable() {
    return batchable;
  }

  public DynamicBatcher batcher() {
    return batcher;
  }

  /** {@code name:version}, as used in messages and thread names. */
  public String label() {
    return manifest.name() + ":" + manifest.version();
  }

  public ModelMetrics metrics() {
    return metrics;
  }

  /** Whether this version stopped accepting requests (it is being or was unloaded). */
  public boolean closed() {
    return batcher.closed();
  }

  /** {@link #infer(List, long, String)} for a caller that names no transport. */
  public CompletableFuture<Tensor[]> infer(List<Tensor> inputs, long deadlineNanos) {
    return infer(inputs, deadlineNanos, "unknown");
  }

  /**
   * Validates the inputs against the signature and queues them. Counts the request, its
   * outcome and latency in this version's metrics, and records its spans.
   *
   * @param deadlineNanos ticker time after which the request is dropped, or Long.MAX_VALUE
   * @param transport names the caller's transport in traces ("grpc", "http")
   * @return outputs in signature order; cancelling it drops the request if not yet run
   * @throws InferenceException at once for bad input or a full queue
   */
  public CompletableFuture<Tensor[]> infer(
      List<Tensor> inputs, long deadlineNanos, String transport) {
    long submitted = ticker.nanoTime();
    metrics.requestStarted();
    CompletableFuture<BatchResult> queued;
    try {
      Tensor[] ordered = validator.validate(inputs);
      int rows = batchable ? (int) Math.min(Integer.MAX_VALUE, ordered[0].dim(0)) : 1;
      queued = batcher.submit(ordered, rows, deadlineNanos);
    } catch (InferenceException e) {
      if (e.kind() == InferenceException.Kind.UNAVAILABLE && batcher.closed()) {
        metrics.requestHandedOver(); // the router retries it on the version that replaced this
      } else {
        finish(submitted, null, e, transport);
      }
      throw e;
    } catch (RuntimeException e) {
      finish(submitted, null, e, transport);
      throw e;
    }
    CompletableFuture<Tensor[]> result = new CancelsQueued(queued);
    queued.whenComplete((r, e) -> {
      finish(submitted, r, e, transport);
      if (e != null) {
        result.completeExceptionally(e instanceof CompletionException && e.getCause() != null
            ? e.getCause() : e);
      } else {
        result.complete(r.outputs());
      }
    });
    return result;
  }

  /** The outputs' future: cancelling it drops the queued request (no second callback). */
  private static final class CancelsQueued extends CompletableFuture<Tensor[]> {
    private final CompletableFuture<BatchResult> queued;

    CancelsQueued(CompletableFuture<BatchResult> queued) {
      this.queued = queued;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      queued.cancel(false);
      return cancelled;
    }
  }

  private void finish(long submitted, BatchResult r, Throwable e, String transport) {
    long now = ticker.nanoTime();
    InferenceException.Kind kind = null;
    Throwable cause = e instanceof CompletionException && e.getCause() != null
        ? e.getCause() : e;
    if (cause instanceof CancellationException) {
      metrics.requestCancelled(now - submitted);
      telemetry.recordRequest(name(), version(), transport, now, submitted, r, e);
      return;
    }
    if (cause != null) {
      kind = cause instanceof InferenceException ie ? ie.kind()
          : cause instanceof IllegalArgumentException ? InferenceException.Kind.INVALID_ARGUMENT
          : InferenceException.Kind.INTERNAL;
    }
    metrics.requestFinished(now - submitted, kind);
    telemetry.recordRequest(name(), version(), transport, now, submitted, r, e);
  }

  /**
   * Stops accepting, lets queued and running requests finish, then frees the runners and the
   * model's native memory.
   */
  @Override
  public void close() {
    try {
      if (!batcher.drainAndStop(30, TimeUnit.SECONDS)) {
        log.warn("{}: requests still queued after 30 s were failed", label());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ModelRunner r : runners) {
      try {
        r.close();
      } catch (RuntimeException e) {
        log.warn("{}: closing a runner failed", label(), e);
      }
    }
    loaded.close();
  }
}
