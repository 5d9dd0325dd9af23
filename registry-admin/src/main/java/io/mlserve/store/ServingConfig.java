package io.mlserve.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * How a model version is served: dynamic batching limits, queue bound, worker instances,
 * device ({@code cpu}, {@code gpu0}, ...) and threads per worker. Every instance is valid: the
 * constructor rejects out-of-range values with {@link IllegalArgumentException}. Immutable.
 */
public record ServingConfig(
    @JsonProperty("max_batch_size") int maxBatchSize,
    @JsonProperty("max_queue_delay_us") long maxQueueDelayUs,
    @JsonProperty("queue_capacity") int queueCapacity,
    @JsonProperty("instances") int instances,
    @JsonProperty("device") String device,
    @JsonProperty("threads_per_instance") int threadsPerInstance) {

  private static final ServingConfig DEFAULTS = new ServingConfig(64, 0, 1024, 1, "cpu", 1);

  public ServingConfig {
    Objects.requireNonNull(device, "device");
    requireAtLeast("max_batch_size", maxBatchSize, 1);
    requireAtLeast("max_queue_delay_us", maxQueueDelayUs, 0);
    requireAtLeast("queue_capacity", queueCapacity, 1);
    requireAtLeast("instances", instances, 1);
    requireAtLeast("threads_per_instance", threadsPerInstance, 1);
    if (device.isBlank()) {
      throw new IllegalArgumentException("serving.device must not be blank (e.g. cpu, gpu0)");
    }
  }

  /** Batch up to 64, no added delay, queue of 1024, one CPU instance with one thread. */
  public static ServingConfig defaults() {
    return DEFAULTS;
  }

  /**
   * The JSON factory: a field that is absent (or null) takes its {@link #defaults()} value.
   */
  @JsonCreator
  static ServingConfig fromJson(
      @JsonProperty("max_batch_size") Integer maxBatchSize,
      @JsonProperty("max_queue_delay_us") Long maxQueueDelayUs,
      @JsonProperty("queue_capacity") Integer queueCapacity,
      @JsonProperty("instances") Integer instances,
      @JsonProperty("device") String device,
      @JsonProperty("threads_per_instance") Integer threadsPerInstance) {
    ServingConfig d = DEFAULTS;
    return new ServingConfig(
        maxBatchSize != null ? maxBatchSize : d.maxBatchSize,
        maxQueueDelayUs != null ? maxQueueDelayUs : d.maxQueueDelayUs,
        queueCapacity != null ? queueCapacity : d.queueCapacity,
        instances != null ? instances : d.instances,
        device != null ? device : d.device,
        threadsPerInstance != null ? threadsPerInstance : d.threadsPerInstance);
  }

  /** A copy with another {@code maxBatchSize}. */
  public ServingConfig withMaxBatchSize(int maxBatchSize) {
    return new ServingConfig(maxBatchSize, maxQueueDelayUs, queueCapacity, instances, device,
        threadsPerInstance);
  }

  private static void requireAtLeast(String field, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(
          "serving." + field + " must be >= " + min + ", got " + value);
    }
  }
}
