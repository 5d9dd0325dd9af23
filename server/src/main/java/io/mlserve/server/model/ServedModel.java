package io.mlserve.server.model;

import io.mlserve.server.batch.BatchResult;
import io.mlserve.server.batch.BatchSettings;
import io.mlserve.server.batch.DynamicBatcher;
import io.mlserve.server.batch.ScalingSettings;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.core.InferenceException;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One served model version: its manifest, its request validator, its metrics and the engine
 * behind them (a {@link ServedEngine}: batcher, runners, the engine's loaded model). Everything
 * kept per version lives here, so replacing the object in the router replaces all of it at once.
 *
 * <p>A version that takes no Production or split traffic may be unloaded while idle
 * ({@link #unloadIfIdle}, driven by {@link IdleUnloader}): its engine drains and is freed, and
 * the object stays in the router, so the next request that reaches it loads the engine again
 * (load, warm-up and health check, as a first load) and waits for it within its deadline;
 * concurrent requests share that one load ({@link EngineSlot}).
 *
 * <p>This class is thread-safe.
 */
public final class ServedModel implements AutoCloseable {
  private final Manifest manifest;
  private final RequestValidator validator;
  private final boolean batchable;
  private final ModelMetrics metrics;
  private final Telemetry telemetry;
  private final Ticker ticker;
  private final EngineSlot<ServedEngine> slot;
  private final String device;
  private final boolean dynamicBatch;
  private final BatchSettings settings;
  private final ScalingSettings scaling;
  private final long idleNanos;
  /** Ticker time of the last request (or of the load): what the idle timeout counts from. */
  private volatile long lastUsedNanos;

  /**
   * @param first the engine loaded already
   * @param reload loads a fresh engine after an idle unload (load, warm-up, health check)
   * @param executor where reloads and drains run
   * @param idleSeconds how long the version may go without a request before it may be unloaded
   *     (0: never)
   */
  ServedModel(
      Manifest manifest,
      ServedEngine first,
      EngineSlot.Loader<ServedEngine> reload,
      java.util.concurrent.Executor executor,
      RequestValidator validator,
      ModelMetrics metrics,
      Telemetry telemetry,
      Ticker ticker,
      int idleSeconds) {
    this.manifest = Objects.requireNonNull(manifest, "manifest");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.batchable = validator.batchable();
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.device = first.loaded().device();
    this.dynamicBatch = first.loaded().dynamicBatch();
    this.settings = first.batcher().settings();
    this.scaling = first.batcher().scaling();
    this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
    this.lastUsedNanos = ticker.nanoTime();
    this.slot = new EngineSlot<>(manifest.name(), manifest.version(), first, reload,
        ServedEngine::close, executor, ticker, metrics::recordUnload, metrics::recordReload);
    metrics.queueDepthFrom(() -> {
      ServedEngine e = slot.current();
      return e == null ? 0 : e.batcher().queueDepth();
    });
    metrics.servedOn(device);
    metrics.instancesFrom(() -> {
      ServedEngine e = slot.current();
      return e == null ? 0 : e.batcher().instances();
    }, scaling.min(), scaling.max());
    metrics.loadedFrom(() -> slot.current() != null);
  }

  /** The device that serves this version ({@code cpu}, {@code gpu0}, ...). */
  public String device() {
    return device;
  }

  /**
   * The most rows one batch may hold: the manifest's {@code max_batch_size}, or 1 when the
   * artifact fixes its batch dimension (or the signature has no batch dimension).
   */
  public int maxBatchSize() {
    return settings.maxBatchSize();
  }

  /** The batcher's limits (the same for every load of this version). */
  public BatchSettings batchSettings() {
    return settings;
  }

  /** The worker autoscaling bounds (the same for every load of this version). */
  public ScalingSettings scaling() {
    return scaling;
  }

  /** Whether the artifact fixes its batch dimension, which turns batching off. */
  public boolean fixedBatch() {
    return !dynamicBatch;
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

  /** The batcher of the loaded engine, or null while the version is unloaded. */
  public DynamicBatcher batcher() {
    ServedEngine e = slot.current();
    return e == null ? null : e.batcher();
  }

  /** Batcher workers now: 0 while unloaded. */
  public int instances() {
    ServedEngine e = slot.current();
    return e == null ? 0 : e.batcher().instances();
  }

  /** {@code name:version}, as used in messages and thread names. */
  public String label() {
    return manifest.name() + ":" + manifest.version();
  }

  public ModelMetrics metrics() {
    return metrics;
  }

  /**
   * Whether this version was retired (replaced or no longer served) and takes no requests; a
   * version unloaded while idle is not closed: it loads again on the next request.
   */
  public boolean closed() {
    return slot.closed();
  }

  /** Whether the engine is loaded now (false while unloaded, loading again, or closed). */
  public boolean loaded() {
    return slot.current() != null;
  }

  /**
   * The engine's state as {@code /readyz} shows it: {@code loaded}, {@code unloading},
   * {@code unloaded}, {@code loading}, {@code failed} (the last load on demand failed) or
   * {@code closed}.
   */
  public String loadState() {
    return slot.state().display();
  }

  /** The idle timeout in seconds (0: never unloaded). */
  public long idleUnloadSeconds() {
    return TimeUnit.NANOSECONDS.toSeconds(idleNanos);
  }

  /**
   * Unloads the engine when the idle timeout is set and has passed since the last request, and
   * nothing is queued; the caller decides whether the version's role allows it (Production and
   * split arms are never unloaded).
   *
   * @param nowNanos ticker time
   * @return whether an unload started
   */
  boolean unloadIfIdle(long nowNanos) {
    ServedEngine e = slot.current();
    if (idleNanos <= 0 || e == null || nowNanos - lastUsedNanos < idleNanos
        || e.batcher().queueDepth() > 0) {
      return false;
    }
    return slot.unload();
  }

  /**
   * Loads the engine if it was unloaded and waits for it (the reload coordinator, before it routes
   * Production or split traffic to this version: those never wait for a load), and counts as a use
   * so the version is not unloaded again at once.
   *
   * @throws ModelLoadException when the load fails, with the reason
   */
  public void awaitLoaded() throws ModelLoadException, InterruptedException {
    lastUsedNanos = ticker.nanoTime();
    try {
      slot.acquire(true).get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new ModelLoadException(e.getCause().getMessage(), e.getCause());
    }
  }

  /** {@link #infer(List, long, String)} for a caller that names no transport. */
  public CompletableFuture<Tensor[]> infer(List<Tensor> inputs, long deadlineNanos) {
    return infer(inputs, deadlineNanos, "unknown");
  }

  /**
   * Validates the inputs against the signature and queues them; when the engine was unloaded
   * while idle, loads it first (the answer then waits for the load, at most until the deadline).
   * Counts the request, its outcome and latency in this version's metrics, and records its
   * spans.
   *
   * @param deadlineNanos ticker time after which the request is dropped, or Long.MAX_VALUE
   * @param transport names the caller's transport in traces ("grpc", "http")
   * @return outputs in signature order; cancelling it drops the request if not yet run
   * @throws InferenceException at once for bad input or a full queue; UNAVAILABLE when the
   *     version was retired (the serving entry point retries on its successor)
   */
  public CompletableFuture<Tensor[]> infer(
      List<Tensor> inputs, long deadlineNanos, String transport) {
    long submitted = ticker.nanoTime();
    lastUsedNanos = submitted;
    metrics.requestStarted();
    Tensor[] ordered;
    int rows;
    try {
      ordered = validator.validate(inputs);
      rows = batchable ? (int) Math.min(Integer.MAX_VALUE, ordered[0].dim(0)) : 1;
    } catch (RuntimeException e) {
      finish(submitted, null, e, transport);
      throw e;
    }
    ServedEngine engine = slot.current();
    if (engine != null) {
      try {
        return answer(engine.batcher().submit(ordered, rows, deadlineNanos), submitted,
            transport);
      } catch (InferenceException e) {
        if (e.kind() != InferenceException.Kind.UNAVAILABLE || !engine.batcher().closed()) {
          finish(submitted, null, e, transport);
          throw e;
        }
        // The batcher stopped under this request: retired (handed over below), or unloaded
        // while idle (the request waits for the reload).
      } catch (RuntimeException e) {
        finish(submitted, null, e, transport);
        throw e;
      }
    }
    if (slot.closed()) {
      metrics.requestHandedOver(); // the router retries it on the version that replaced this
      throw InferenceException.unavailable("version '" + version() + "' of model '" + name()
          + "' is no longer served");
    }
    return afterLoad(ordered, rows, deadlineNanos, submitted, transport);
  }

  /**
   * Queues a request once the engine is loaded again. The caller's future completes with
   * DEADLINE_EXCEEDED when the deadline passes during the load, and cancelling it stops the
   * wait; either way the load goes on for the next request. Exactly one outcome is counted.
   */
  private CompletableFuture<Tensor[]> afterLoad(Tensor[] ordered, int rows, long deadlineNanos,
      long submitted, String transport) {
    CompletableFuture<Tensor[]> result = new CompletableFuture<>();
    // Set by whoever ends the wait for the load: the load's callback, or the caller giving up.
    AtomicBoolean waitEnded = new AtomicBoolean();
    AtomicReference<CompletableFuture<Tensor[]>> queued = new AtomicReference<>();
    result.whenComplete((r, e) -> {
      if (waitEnded.compareAndSet(false, true)) {
        finish(submitted, null, e, transport); // gave up (cancelled, deadline) during the load
      } else if (e instanceof CancellationException) {
        CompletableFuture<Tensor[]> q = queued.get();
        if (q != null) {
          q.cancel(false);
        }
      }
    });
    slot.acquire(false).whenComplete((engine, error) -> {
      if (!waitEnded.compareAndSet(false, true)) {
        return; // the caller gave up already; the load serves the next request
      }
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error;
        finish(submitted, null, cause, transport);
        result.completeExceptionally(cause);
        return;
      }
      CompletableFuture<Tensor[]> answer;
      try {
        answer = answer(engine.batcher().submit(ordered, rows, deadlineNanos), submitted,
            transport);
      } catch (RuntimeException e) {
        finish(submitted, null, e, transport);
        result.completeExceptionally(e);
        return;
      }
      queued.set(answer);
      answer.whenComplete((r, e) -> {
        if (e != null) {
          result.completeExceptionally(e);
        } else {
          result.complete(r);
        }
      });
      if (result.isCancelled()) {
        answer.cancel(false);
      }
    });
    if (deadlineNanos != Long.MAX_VALUE && !result.isDone()) {
      long left = Math.max(0, deadlineNanos - ticker.nanoTime());
      CompletableFuture.delayedExecutor(left, TimeUnit.NANOSECONDS).execute(() ->
          result.completeExceptionally(new InferenceException(
              InferenceException.Kind.DEADLINE_EXCEEDED, "the deadline passed while version '"
                  + version() + "' of model '" + name() + "' was loading again after an idle"
                  + " unload")));
    }
    return result;
  }

  /** The caller's future of a queued request; counts its outcome when it completes. */
  private CompletableFuture<Tensor[]> answer(CompletableFuture<BatchResult> queued,
      long submitted, String transport) {
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
   * Retires the version: stops accepting, lets queued and running requests finish, then frees
   * the runners and the model's native memory. A version unloaded while idle has nothing left
   * to free; one loading again frees what it loads.
   */
  @Override
  public void close() {
    slot.close();
  }
}
