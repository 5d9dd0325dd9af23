package io.mlserve.server.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The requests a {@link DynamicBatcher} holds in arrival order, their rows, and its batching
 * policy: when the next batch is ready ({@link #waitNanos}) and which requests form it
 * ({@link #take}). A batch takes as many queued requests as fit in {@code maxBatchSize} rows;
 * with a queue delay it waits for more rows only while it is not full and the oldest request has
 * waited less than the delay; without one ({@code maxQueueDelayNanos == 0}) it waits as
 * {@link AdaptiveQueueDelay} learns to. Requests that waited out the queue timeout are set apart,
 * not run.
 *
 * <p>Not thread-safe: the batcher calls it holding its lock.
 */
final class BatchQueue {
  private final BatchSettings settings;
  private final ArrayDeque<BatchRequest> requests = new ArrayDeque<>();
  // the learned delay when the settings give none and batches can hold more than one row
  private final AdaptiveQueueDelay adaptive;
  // rows held by the requests queued
  private long rows;

  BatchQueue(BatchSettings settings) {
    this.settings = settings;
    this.adaptive = settings.maxQueueDelayNanos() == 0 && settings.maxBatchSize() > 1
        ? new AdaptiveQueueDelay(settings.maxBatchSize()) : null;
  }

  /** Whether a batch may wait for more rows (a fixed or a learned queue delay). */
  boolean mayWait() {
    return settings.maxQueueDelayNanos() > 0 || adaptive != null;
  }

  /** A batch taken from this queue ran on the engine in {@code tookNanos}: teaches the delay. */
  void batchRan(List<BatchRequest> batch, long tookNanos) {
    if (adaptive != null) {
      int batchRows = 0;
      for (BatchRequest r : batch) {
        batchRows += r.rows;
      }
      adaptive.batchRan(batchRows, tookNanos);
    }
  }

  int size() {
    return requests.size();
  }

  boolean isEmpty() {
    return requests.isEmpty();
  }

  /** Rows held by the queued requests. */
  long rows() {
    return rows;
  }

  /** The request queued longest, or null when the queue is empty. */
  BatchRequest oldest() {
    return requests.peekFirst();
  }

  void add(BatchRequest request) {
    requests.addLast(request);
    rows += request.rows;
    if (adaptive != null) {
      adaptive.arrived(request.enqueuedNanos, request.rows);
    }
  }

  /** Empties the queue, returning what it held. */
  List<BatchRequest> removeAll() {
    List<BatchRequest> all = new ArrayList<>(requests);
    requests.clear();
    rows = 0;
    return all;
  }

  /**
   * -1 when empty, 0 when a batch is ready at {@code now}, else the remaining wait. A closed
   * batcher waits for nothing.
   */
  long waitNanos(long now, boolean closed) {
    BatchRequest oldest = requests.peekFirst();
    if (oldest == null) {
      return -1;
    }
    if (closed || rows >= settings.maxBatchSize()) {
      return 0;
    }
    if (settings.maxQueueDelayNanos() == 0) {
      return adaptive == null ? 0
          : adaptive.waitNanos(now, rows, oldest.enqueuedNanos, oldest.deadlineNanos);
    }
    long waited = now - oldest.enqueuedNanos;
    return Math.max(0, settings.maxQueueDelayNanos() - waited);
  }

  /**
   * Removes and returns the next batch, or null if none is ready. Requests at the head that
   * waited out the queue timeout go to {@code timedOut} instead (the caller fails them outside
   * the lock); they take no room in the batch.
   */
  List<BatchRequest> take(long now, boolean closed, List<BatchRequest> timedOut) {
    dropTimedOut(now, timedOut);
    if (waitNanos(now, closed) != 0) {
      return null;
    }
    List<BatchRequest> batch = new ArrayList<>(Math.min(requests.size(), settings.maxBatchSize()));
    int batchRows = 0;
    while (!requests.isEmpty()) {
      BatchRequest next = requests.peekFirst();
      if (now - next.enqueuedNanos >= settings.queueTimeoutNanos()) {
        requests.pollFirst();
        rows -= next.rows;
        timedOut.add(next);
        continue;
      }
      if (batchRows + next.rows > settings.maxBatchSize()) {
        break;
      }
      requests.pollFirst();
      rows -= next.rows;
      batchRows += next.rows;
      batch.add(next);
    }
    return batch;
  }

  // Moves the timed-out requests at the head of the queue to timedOut. The queue is in arrival
  // order, so they are all at the head.
  private void dropTimedOut(long now, List<BatchRequest> timedOut) {
    while (!requests.isEmpty()
        && now - requests.peekFirst().enqueuedNanos >= settings.queueTimeoutNanos()) {
      BatchRequest r = requests.pollFirst();
      rows -= r.rows;
      timedOut.add(r);
    }
  }
}
