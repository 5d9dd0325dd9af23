package io.mlserve.server.batch;

/**
 * How one model version batches: the most rows a batch may hold, how long the oldest queued
 * request may wait for a fuller batch (0: never wait, batch only what is already queued), and
 * how many requests may be queued before new ones are refused.
 *
 * @param maxBatchSize rows per batch, at least 1 (1 turns batching off)
 * @param maxQueueDelayNanos the longest the oldest request waits for company, at least 0
 * @param queueCapacity queued requests before {@code RESOURCE_EXHAUSTED}, at least 1
 */
public record BatchSettings(int maxBatchSize, long maxQueueDelayNanos, int queueCapacity) {
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
  }
}
