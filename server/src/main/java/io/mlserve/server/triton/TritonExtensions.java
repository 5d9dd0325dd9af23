package io.mlserve.server.triton;

import java.util.List;

/**
 * The protocol extensions this server implements, as reported in the {@code extensions} field of
 * server metadata by both REST {@code GET /v2} and gRPC {@code ServerMetadata}. The names are
 * those Triton's protocol documents define (docs/protocol/extension_*.md); a client checks for a
 * name before it uses the extension, so only what really works is listed.
 *
 * <p>To add an extension: use (or add) its constant and list it in {@link #IMPLEMENTED}.
 *
 * <p>Immutable; thread-safe.
 */
public final class TritonExtensions {
  /** Raw tensor bytes after the JSON header of REST inference (extension_binary_data.md). */
  public static final String BINARY_TENSOR_DATA = "binary_tensor_data";
  /** Top-k class labels instead of raw outputs (extension_classification.md). */
  public static final String CLASSIFICATION = "classification";
  /** Per-request priority and timeout (extension_schedule_policy.md). */
  public static final String SCHEDULE_POLICY = "schedule_policy";
  /** Stateful sequences of requests (extension_sequence.md). */
  public static final String SEQUENCE = "sequence";
  /** Tensors passed through POSIX shared-memory regions (extension_shared_memory.md). */
  public static final String SYSTEM_SHARED_MEMORY = "system_shared_memory";
  /** Tensors passed through CUDA shared-memory regions (extension_shared_memory.md). */
  public static final String CUDA_SHARED_MEMORY = "cuda_shared_memory";
  /** A model's configuration ({@code ModelConfig}, {@code .../config}). */
  public static final String MODEL_CONFIGURATION = "model_configuration";
  /** Repository index, load and unload (extension_model_repository.md). */
  public static final String MODEL_REPOSITORY = "model_repository";
  /** Per-version inference statistics ({@code ModelStatistics}, {@code .../stats}). */
  public static final String STATISTICS = "statistics";
  /** Trace settings (extension_trace.md). */
  public static final String TRACE = "trace";
  /** Log settings (extension_logging.md). */
  public static final String LOGGING = "logging";
  /** Request and response parameters (extension_parameters.md). */
  public static final String PARAMETERS = "parameters";

  /**
   * What this server implements, in the order it reports them. System shared memory is listed
   * also on a server that runs with it turned off (as Triton lists it whatever
   * {@code --allow-client-shm} says): the extension is there, and its register call says that
   * it is off and which flag turns it on.
   */
  public static final List<String> IMPLEMENTED = List.of(
      BINARY_TENSOR_DATA,
      MODEL_CONFIGURATION,
      MODEL_REPOSITORY,
      STATISTICS,
      SYSTEM_SHARED_MEMORY);

  private TritonExtensions() {}
}
