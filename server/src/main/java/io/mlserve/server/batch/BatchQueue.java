package io.mlserve.server.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The requests a {@link DynamicBatcher} holds in arrival order, their rows, and its batching
 * policy: when the next batch is ready ({@link #waitNanos}) and which requests form it
 * ({@link #take}). A batch takes as many queued requests as fit in {@code maxBatchSize} rows;
 * with a queue delay it waits for more rows only while it is not full and the oldest request has
 * waited less than the delay. Requests that waited out the queue timeout are set apart, not run.
 *
 * <p>Not thread-safe: the batcher calls it holding its lock.
 */
final class BatchQueue {
  private final BatchSettings settings;
  private final ArrayDeque<BatchRequest> requests = new ArrayDeque<>();
  // rows held by the requests queued
  private long rows;

  BatchQueue(BatchSettings settings) {
    this.settings = settings;
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
    if (closed || settings.maxQueueDelayNanos() == 0 || rows >= settings.maxBatchSize()) {
      return 0;
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
