package io.mlserve.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a model version is served: dynamic batching limits, queue bounds (by count and by time),
 * worker instances, device ({@code cpu}, {@code gpu0}, ...) and threads per worker. Every
 * instance is valid: the constructor rejects a value outside its {@link Range} with an
 * {@link IllegalArgumentException} naming the field, the value and the allowed range, so that
 * nothing downstream (a warm-up at every batch size, a queue, a worker pool) is sized by an
 * unchecked number. Immutable.
 *
 * @param queueTimeoutUs the longest a request may wait in the batcher's queue before it is shed
 *     ({@code RESOURCE_EXHAUSTED}); also the wait beyond which new requests are refused at once
 * @param allowCpuFallback whether a version whose {@code device} is a GPU that cannot be used
 *     (ONNX Runtime without CUDA, no such GPU) serves on the CPU instead of being refused; false
 *     by default, and then left out of the JSON
 * @param minInstances the fewest batcher workers autoscaling keeps, or null (see
 *     {@link #scalingMin()})
 * @param maxInstances the most batcher workers autoscaling starts, or null (see
 *     {@link #scalingMax()}); with both null the version runs a fixed {@code instances}
 * @param idleUnloadSeconds how long a version that takes no Production or split traffic may go
 *     without a request before its engine is unloaded (the next request loads it again); 0:
 *     never; null: the server's default ({@code --idle-unload-seconds})
 */
public record ServingConfig(
    @JsonProperty("max_batch_size") int maxBatchSize,
    @JsonProperty("max_queue_delay_us") long maxQueueDelayUs,
    @JsonProperty("queue_capacity") int queueCapacity,
    @JsonProperty("instances") int instances,
    @JsonProperty("device") String device,
    @JsonProperty("threads_per_instance") int threadsPerInstance,
    @JsonProperty("queue_timeout_us") long queueTimeoutUs,
    @JsonProperty("allow_cpu_fallback") @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        boolean allowCpuFallback,
    @JsonProperty("min_instances") @JsonInclude(JsonInclude.Include.NON_NULL)
        Integer minInstances,
    @JsonProperty("max_instances") @JsonInclude(JsonInclude.Include.NON_NULL)
        Integer maxInstances,
    @JsonProperty("idle_unload_seconds") @JsonInclude(JsonInclude.Include.NON_NULL)
        Integer idleUnloadSeconds) {

  /** An inclusive range of allowed values. */
  public record Range(long min, long max) {
    /**
     * @return null when {@code value} is in range, else "NAME must be between MIN and MAX, got V"
     */
    public String check(String name, long value) {
      if (value >= min && value <= max) {
        return null;
      }
      return name + " must be between " + min + " and " + max + ", got " + value;
    }

    void require(String field, long value) {
      String why = check("serving." + field, value);
      if (why != null) {
        throw new IllegalArgumentException(why);
      }
    }
  }

  /** Rows per batch; the warm-up runs a batch of this many rows on every instance. */
  public static final Range MAX_BATCH_SIZE = new Range(1, 4096);
  /** Microseconds the oldest request may wait for a fuller batch (1 s at most). */
  public static final Range MAX_QUEUE_DELAY_US = new Range(0, 1_000_000);
  /** Requests queued per version before new ones are refused. */
  public static final Range QUEUE_CAPACITY = new Range(1, 65_536);
  /** Batcher workers per version, each with its own engine predictor. */
  public static final Range INSTANCES = new Range(1, 64);
  /** Intra-op threads of each instance. */
  public static final Range THREADS_PER_INSTANCE = new Range(1, 64);
  /** Microseconds a request may wait in the queue: 100 us to 60 s. */
  public static final Range QUEUE_TIMEOUT_US = new Range(100, 60_000_000);
  /**
   * The default queue timeout: 1 s. Long enough that a briefly busy host (a GC pause, a reload's
   * warm-up on shared cores, JIT) sheds nothing, short enough that sustained overload is shed
   * instead of queued for seconds; a model whose answers go stale sooner sets its own.
   */
  public static final long DEFAULT_QUEUE_TIMEOUT_US = 1_000_000;
  /** Seconds an idle non-Production version stays loaded: 0 (never unloaded) to 7 days. */
  public static final Range IDLE_UNLOAD_SECONDS = new Range(0, 604_800);

  private static final int MAX_DEVICE_CHARS = 32;

  private static final ServingConfig DEFAULTS =
      new ServingConfig(64, 0, 1024, 1, "cpu", 1, DEFAULT_QUEUE_TIMEOUT_US, false, null, null,
          null);

  public ServingConfig {
    Objects.requireNonNull(device, "device");
    MAX_BATCH_SIZE.require("max_batch_size", maxBatchSize);
    MAX_QUEUE_DELAY_US.require("max_queue_delay_us", maxQueueDelayUs);
    QUEUE_CAPACITY.require("queue_capacity", queueCapacity);
    INSTANCES.require("instances", instances);
    THREADS_PER_INSTANCE.require("threads_per_instance", threadsPerInstance);
    QUEUE_TIMEOUT_US.require("queue_timeout_us", queueTimeoutUs);
    if (minInstances != null) {
      INSTANCES.require("min_instances", minInstances);
    }
    if (maxInstances != null) {
      INSTANCES.require("max_instances", maxInstances);
    }
    if (idleUnloadSeconds != null) {
      IDLE_UNLOAD_SECONDS.require("idle_unload_seconds", idleUnloadSeconds);
    }
    if (minInstances != null && maxInstances != null && minInstances > maxInstances) {
      throw new IllegalArgumentException("serving.min_instances (" + minInstances
          + ") must not exceed serving.max_instances (" + maxInstances + ")");
    }
    if (device.isBlank() || device.length() > MAX_DEVICE_CHARS) {
      throw new IllegalArgumentException("serving.device must be 1 to " + MAX_DEVICE_CHARS
          + " characters (e.g. cpu, gpu0), got "
          + (device.isBlank() ? "a blank value" : device.length() + " characters"));
    }
  }

  /** A config that takes the server's default idle timeout. */
  public ServingConfig(int maxBatchSize, long maxQueueDelayUs, int queueCapacity, int instances,
      String device, int threadsPerInstance, long queueTimeoutUs, boolean allowCpuFallback,
      Integer minInstances, Integer maxInstances) {
    this(maxBatchSize, maxQueueDelayUs, queueCapacity, instances, device, threadsPerInstance,
        queueTimeoutUs, allowCpuFallback, minInstances, maxInstances, null);
  }

  /** A config without CPU fallback, with a fixed number of instances (no autoscaling). */
  public ServingConfig(int maxBatchSize, long maxQueueDelayUs, int queueCapacity, int instances,
      String device, int threadsPerInstance, long queueTimeoutUs) {
    this(maxBatchSize, maxQueueDelayUs, queueCapacity, instances, device, threadsPerInstance,
        queueTimeoutUs, false, null, null);
  }

  /** A config with a fixed number of instances (no autoscaling). */
  public ServingConfig(int maxBatchSize, long maxQueueDelayUs, int queueCapacity, int instances,
      String device, int threadsPerInstance, long queueTimeoutUs, boolean allowCpuFallback) {
    this(maxBatchSize, maxQueueDelayUs, queueCapacity, instances, device, threadsPerInstance,
        queueTimeoutUs, allowCpuFallback, null, null);
  }

  /** A config without CPU fallback. */
  public ServingConfig(int maxBatchSize, long maxQueueDelayUs, int queueCapacity, int instances,
      String device, int threadsPerInstance, long queueTimeoutUs, Integer minInstances,
      Integer maxInstances) {
    this(maxBatchSize, maxQueueDelayUs, queueCapacity, instances, device, threadsPerInstance,
        queueTimeoutUs, false, minInstances, maxInstances);
  }

  /** A config with the default queue timeout ({@link #DEFAULT_QUEUE_TIMEOUT_US}). */
  public ServingConfig(int maxBatchSize, long maxQueueDelayUs, int queueCapacity, int instances,
      String device, int threadsPerInstance) {
    this(maxBatchSize, maxQueueDelayUs, queueCapacity, instances, device, threadsPerInstance,
        DEFAULT_QUEUE_TIMEOUT_US);
  }

  /**
   * Batch up to 64, no added delay, queue of 1024 requests or 100 ms, one CPU instance with one
   * thread.
   */
  public static ServingConfig defaults() {
    return DEFAULTS;
  }

  /**
   * The JSON factory: a field that is absent (or null) takes its {@link #defaults()} value. A
   * value out of range fails as a {@link JsonMappingException} whose message is exactly the
   * constructor's (Jackson would otherwise wrap it in a message that names this class).
   */
  @JsonCreator
  static ServingConfig fromJson(
      @JsonProperty("max_batch_size") Integer maxBatchSize,
      @JsonProperty("max_queue_delay_us") Long maxQueueDelayUs,
      @JsonProperty("queue_capacity") Integer queueCapacity,
      @JsonProperty("instances") Integer instances,
      @JsonProperty("device") String device,
      @JsonProperty("threads_per_instance") Integer threadsPerInstance,
      @JsonProperty("queue_timeout_us") Long queueTimeoutUs,
      @JsonProperty("allow_cpu_fallback") Boolean allowCpuFallback,
      @JsonProperty("min_instances") Integer minInstances,
      @JsonProperty("max_instances") Integer maxInstances,
      @JsonProperty("idle_unload_seconds") Integer idleUnloadSeconds)
      throws JsonMappingException {
    try {
      return DEFAULTS.copy(c -> {
        c.maxBatchSize = maxBatchSize != null ? maxBatchSize : c.maxBatchSize;
        c.maxQueueDelayUs = maxQueueDelayUs != null ? maxQueueDelayUs : c.maxQueueDelayUs;
        c.queueCapacity = queueCapacity != null ? queueCapacity : c.queueCapacity;
        c.instances = instances != null ? instances : c.instances;
        c.device = device != null ? device : c.device;
        c.threadsPerInstance = threadsPerInstance != null ? threadsPerInstance
            : c.threadsPerInstance;
        c.queueTimeoutUs = queueTimeoutUs != null ? queueTimeoutUs : c.queueTimeoutUs;
        c.allowCpuFallback = allowCpuFallback != null ? allowCpuFallback : c.allowCpuFallback;
        c.minInstances = minInstances;
        c.maxInstances = maxInstances;
        c.idleUnloadSeconds = idleUnloadSeconds;
      });
    } catch (IllegalArgumentException e) {
      throw JsonMappingException.from((JsonParser) null, e.getMessage());
    }
  }

  /** A copy with another {@code maxBatchSize}. */
  public ServingConfig withMaxBatchSize(int maxBatchSize) {
    return copy(c -> c.maxBatchSize = maxBatchSize);
  }

  /** A copy with another {@code maxQueueDelayUs}. */
  public ServingConfig withMaxQueueDelayUs(long maxQueueDelayUs) {
    return copy(c -> c.maxQueueDelayUs = maxQueueDelayUs);
  }

  /** A copy with another {@code instances}. */
  public ServingConfig withInstances(int instances) {
    return copy(c -> c.instances = instances);
  }

  /** A copy with another {@code threadsPerInstance}. */
  public ServingConfig withThreadsPerInstance(int threadsPerInstance) {
    return copy(c -> c.threadsPerInstance = threadsPerInstance);
  }

  /** A copy with other autoscaling bounds (null: unset). */
  public ServingConfig withScaling(Integer minInstances, Integer maxInstances) {
    return copy(c -> {
      c.minInstances = minInstances;
      c.maxInstances = maxInstances;
    });
  }

  /**
   * The fewest workers: {@code min_instances}, else {@code instances} capped by
   * {@code max_instances}.
   */
  public int scalingMin() {
    if (minInstances != null) {
      return minInstances;
    }
    return maxInstances != null ? Math.min(instances, maxInstances) : instances;
  }

  /** The most workers: {@code max_instances}, else the larger of instances and the minimum. */
  public int scalingMax() {
    return maxInstances != null ? maxInstances : Math.max(instances, scalingMin());
  }

  /** Workers started at load: {@code instances} brought within [scalingMin, scalingMax]. */
  public int initialInstances() {
    return Math.max(scalingMin(), Math.min(instances, scalingMax()));
  }

  /** Whether the worker count may change while serving. */
  public boolean autoscales() {
    return scalingMin() != scalingMax();
  }

  /** A copy with another {@code device}. */
  public ServingConfig withDevice(String device) {
    return copy(c -> c.device = device);
  }

  /** A copy with another {@code allowCpuFallback}. */
  public ServingConfig withAllowCpuFallback(boolean allowCpuFallback) {
    return copy(c -> c.allowCpuFallback = allowCpuFallback);
  }

  /** A copy with another {@code queueTimeoutUs}. */
  public ServingConfig withQueueTimeoutUs(long queueTimeoutUs) {
    return copy(c -> c.queueTimeoutUs = queueTimeoutUs);
  }

  /** A copy with another idle timeout (null: the server's default). */
  public ServingConfig withIdleUnloadSeconds(Integer idleUnloadSeconds) {
    return copy(c -> c.idleUnloadSeconds = idleUnloadSeconds);
  }

  /** The idle timeout in seconds; 0 (never) when neither the manifest nor the server set one. */
  public int idleUnloadSecondsOrNever() {
    return idleUnloadSeconds == null ? 0 : idleUnloadSeconds;
  }

  /** This config with the fields {@code change} sets; the result is checked as any config. */
  private ServingConfig copy(Consumer<Fields> change) {
    Fields c = new Fields(this);
    change.accept(c);
    return c.build();
  }

  /**
   * A config's fields, settable: the one place besides the record header that lists them all,
   * so that every copy ({@code withX}, the JSON factory's defaults) goes through the canonical
   * constructor and its checks. Confined to one {@link #copy} call; not thread-safe.
   */
  private static final class Fields {
    int maxBatchSize;
    long maxQueueDelayUs;
    int queueCapacity;
    int instances;
    String device;
    int threadsPerInstance;
    long queueTimeoutUs;
    boolean allowCpuFallback;
    Integer minInstances;
    Integer maxInstances;
    Integer idleUnloadSeconds;

    Fields(ServingConfig c) {
      maxBatchSize = c.maxBatchSize;
      maxQueueDelayUs = c.maxQueueDelayUs;
      queueCapacity = c.queueCapacity;
      instances = c.instances;
      device = c.device;
      threadsPerInstance = c.threadsPerInstance;
      queueTimeoutUs = c.queueTimeoutUs;
      allowCpuFallback = c.allowCpuFallback;
      minInstances = c.minInstances;
      maxInstances = c.maxInstances;
      idleUnloadSeconds = c.idleUnloadSeconds;
    }

    ServingConfig build() {
      return new ServingConfig(maxBatchSize, maxQueueDelayUs, queueCapacity, instances, device,
          threadsPerInstance, queueTimeoutUs, allowCpuFallback, minInstances, maxInstances,
          idleUnloadSeconds);
    }
  }
}
