package io.mlserve.server.bulk;

import io.mlserve.server.core.Failure;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.serving.Answer;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.serving.ModelRef;
import io.mlserve.server.serving.RequestContext;
import io.mlserve.server.tensor.BytesElements;
import io.mlserve.server.tensor.Tensor;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs many rows of one single-input model through the {@link InferenceService} in chunks of at
 * most the model's max batch size, keeping at most {@code window} chunks queued at a time, and assembles
 * the outputs in row order. With an unbounded window (the synchronous batch endpoint) every
 * chunk is queued at once, so the chunks fill batches together; a full queue fails the whole
 * run. With a small window (bulk jobs) a full queue is retried after {@code retryDelayMillis},
 * so a large job never crowds interactive requests out of the queue.
 *
 * <p>Every chunk goes through the serving entry point with the same routing key, so a traffic
 * split sends a whole run to one version, and a version swapped out by a reload mid-run hands
 * its remaining chunks to its successor; {@link #versions()} says which versions answered.
 *
 * <p>A model whose input has no batch dimension takes one instance per request: each chunk is
 * one instance, sent without the leading dimension.
 *
 * <p>This class is thread-safe: chunks complete on batcher workers concurrently.
 */
public final class ChunkedInference {
  /** The transport every chunk runs under (answers are not kept for feedback). */
  public static final String TRANSPORT = "http-batch";

  /** Runs a task after a delay; the gateway passes its event loop's scheduler. */
  public interface Scheduler {
    void schedule(Runnable task, long delayMillis);
  }

  private final ServedModel model;
  private final InferenceService service;
  private final ModelRef ref;
  private final RequestContext chunkCtx;
  private final boolean batchable;
  private final int chunkRows;
  private final int window;
  private final Scheduler scheduler;
  private final long retryDelayMillis;
  private final int totalRows;
  private final int chunks;
  /** For a BYTES input, the start of each element (and the end); else null. */
  private final int[] elementOffsets;
  private final CompletableFuture<Tensor[][]> result = new CompletableFuture<>();
  private final AtomicLong processed = new AtomicLong();

  private final Object lock = new Object();
  // @GuardedBy("lock"): the rows, dropped once the run ends
  private Tensor input;
  // @GuardedBy("lock")
  private int nextChunk;
  // @GuardedBy("lock")
  private int chunksDone;
  // @GuardedBy("lock"): outputs of each chunk, in signature order
  private final Tensor[][] outputs;
  // @GuardedBy("lock"): chunks handed to the batcher and not finished
  private int queued;
  // @GuardedBy("lock"): chunks refused by a full queue, to queue again first
  private final ArrayDeque<Integer> retry = new ArrayDeque<>();
  // @GuardedBy("lock"): futures of queued, unfinished chunks (for cancel)
  private final List<CompletableFuture<Answer>> pending = new ArrayList<>();
  // @GuardedBy("lock"): a full queue refused a chunk; nothing is queued until the retry runs
  private boolean backingOff;
  // @GuardedBy("lock"): the versions that answered chunks, in order of first answer
  private final Set<String> versions = new LinkedHashSet<>();

  /**
   * @param model the version {@code ref} resolved to first: sizes the chunks
   * @param ctx every chunk's context; its routing key pins the run to one arm of a split
   * @param input all rows: dimension 0 is the instance
   * @param window chunks queued at once, {@code Integer.MAX_VALUE} for all
   */
  public ChunkedInference(
      InferenceService service,
      ModelRef ref,
      RequestContext ctx,
      ServedModel model,
      Tensor input,
      boolean batchable,
      int window,
      Scheduler scheduler,
      long retryDelayMillis) {
    this.service = Objects.requireNonNull(service, "service");
    this.ref = Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(ctx, "ctx");
    this.chunkCtx = new RequestContext(ctx.deadlineNanos(), TRANSPORT, ctx.requestId(),
        ctx.routingKey());
    this.model = Objects.requireNonNull(model, "model");
    this.input = Objects.requireNonNull(input, "input");
    this.batchable = batchable;
    this.chunkRows = batchable ? model.maxBatchSize() : 1;
    this.window = window;
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.retryDelayMillis = retryDelayMillis;
    this.totalRows = (int) input.dim(0);
    this.chunks = (totalRows + chunkRows - 1) / chunkRows;
    this.outputs = new Tensor[chunks][];
    // BYTES rows vary in size: where each element starts, found once
    this.elementOffsets = input.dataType().isFixedSize() ? null
        : BytesElements.offsets(input.name(), input.data(), Tensor.elementCount(input.shape()));
  }

  /**
   * Starts queueing chunks.
   *
   * @return the outputs of each chunk in order; fails with the first failure (in sync mode a
   *     full queue too), and is cancelled by {@link #cancel()}
   */
  public CompletableFuture<Tensor[][]> start() {
    if (chunks == 0) {
      throw InferenceException.invalid("'instances' is empty");
    }
    submitMore();
    return result;
  }

  int totalRows() {
    return totalRows;
  }

  long processedRows() {
    return processed.get();
  }

  ServedModel model() {
    return model;
  }

  /** The versions that answered chunks so far, in order of first answer. */
  public List<String> versions() {
    synchronized (lock) {
      return List.copyOf(versions);
    }
  }

  /** Drops the queued chunks not yet run and fails the result with a cancellation. */
  public void cancel() {
    List<CompletableFuture<Answer>> toCancel;
    synchronized (lock) {
      input = null;
      nextChunk = chunks;
      retry.clear();
      toCancel = new ArrayList<>(pending);
      pending.clear();
    }
    result.cancel(false);
    toCancel.forEach(f -> f.cancel(false));
  }

  private void submitMore() {
    while (true) {
      int index;
      Tensor chunk;
      synchronized (lock) {
        if (result.isDone() || queued >= window || backingOff) {
          return;
        }
        if (!retry.isEmpty()) {
          index = retry.poll();
        } else if (nextChunk < chunks) {
          index = nextChunk++;
        } else {
          return;
        }
        chunk = slice(index);
        queued++;
      }
      CompletableFuture<Answer> f = service.infer(ref, List.of(chunk), chunkCtx);
      boolean cancelled;
      synchronized (lock) {
        cancelled = result.isDone();
        if (!cancelled) {
          pending.add(f);
        }
      }
      if (cancelled) {
        f.cancel(false);
        return;
      }
      f.whenComplete((out, err) -> finished(index, f, out, err));
    }
  }

  private Tensor slice(int index) {
    int from = index * chunkRows;
    int rows = Math.min(chunkRows, totalRows - from);
    if (batchable && rows == totalRows) {
      return input; // one chunk holds every row: no copy
    }
    byte[] all = input.data();
    byte[] part;
    if (elementOffsets != null) {
      int perRow = totalRows == 0 ? 0 : (elementOffsets.length - 1) / totalRows;
      part = Arrays.copyOfRange(all, elementOffsets[from * perRow],
          elementOffsets[(from + rows) * perRow]);
    } else {
      int rowBytes = totalRows == 0 ? 0 : all.length / totalRows;
      part = Arrays.copyOfRange(all, from * rowBytes, (from + rows) * rowBytes);
    }
    long[] shape = input.shape();
    if (batchable) {
      shape[0] = rows;
    } else {
      shape = Arrays.copyOfRange(shape, 1, shape.length);
    }
    return new Tensor(input.name(), input.dataType(), shape, part);
  }

  private void finished(int index, CompletableFuture<Answer> f, Answer out, Throwable err) {
    if (err != null) {
      Throwable e = Failure.unwrap(err);
      if (window != Integer.MAX_VALUE && e instanceof InferenceException ie
          && ie.kind() == InferenceException.Kind.RESOURCE_EXHAUSTED) {
        // A bulk run yields to interactive traffic: queue the chunk again a little later.
        synchronized (lock) {
          pending.remove(f);
          queued--;
          retry.add(index);
          if (backingOff) {
            return; // a retry is already scheduled
          }
          backingOff = true;
        }
        scheduler.schedule(this::retryAfterBackoff, retryDelayMillis);
        return;
      }
      fail(e);
      return;
    }
    boolean all;
    synchronized (lock) {
      pending.remove(f);
      queued--;
      outputs[index] = out.outputs();
      versions.add(out.model().version());
      chunksDone++;
      all = chunksDone == chunks;
      if (all) {
        input = null;
      }
    }
    processed.addAndGet(Math.min(chunkRows, totalRows - (long) index * chunkRows));
    if (all) {
      result.complete(outputs);
    } else {
      submitMore();
    }
  }

  private void retryAfterBackoff() {
    synchronized (lock) {
      backingOff = false;
    }
    submitMore();
  }

  private void fail(Throwable err) {
    List<CompletableFuture<Answer>> toCancel;
    synchronized (lock) {
      input = null;
      nextChunk = chunks;
      retry.clear();
      toCancel = new ArrayList<>(pending);
      pending.clear();
    }
    result.completeExceptionally(err);
    toCancel.forEach(x -> x.cancel(false));
  }
}
