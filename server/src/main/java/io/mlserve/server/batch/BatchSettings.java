package io.mlserve.server.batch;

/**
 * How one model version batches: the most rows a batch may hold, how long the oldest queued
 * request may wait for a fuller batch (0: never wait, batch only what is already queued), and
 * how far the queue may grow, by count and by time, before requests are shed.
 *
 * @param maxBatchSize rows per batch, at least 1 (1 turns batching off)
 * @param maxQueueDelayNanos the longest the oldest request waits for company, at least 0
 * @param queueCapacity queued requests before {@code RESOURCE_EXHAUSTED}, at least 1
 * @param queueTimeoutNanos the longest a request may wait in the queue, more than 0: a request
 *     that waited this long is dropped ({@code RESOURCE_EXHAUSTED}) instead of run, and a new one
 *     is refused at once while the queue's estimated wait is this long or longer
 */
public record BatchSettings(
    int maxBatchSize, long maxQueueDelayNanos, int queueCapacity, long queueTimeoutNanos) {
  public BatchSettings {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("max_batch_size must be >= 1, got " + maxBatchSize);
    }
    if (maxQueueDelayNanos < 0) {
      throw new IllegalArgumentException("max_queue_delay must be >= 0, got " + maxQueueDelayNanos);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queue_capacity must be >= 1, got " + queueCapacity);
    }
    if (queueTimeoutNanos < 1) {
      throw new IllegalArgumentException("queue_timeout must be > 0, got " + queueTimeoutNanos);
    }
  }
}
