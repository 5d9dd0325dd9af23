package io.mlserve.server.triton;

import io.mlserve.proto.inference.DataType;
import io.mlserve.proto.inference.ModelConfig;
import io.mlserve.proto.inference.ModelDynamicBatching;
import io.mlserve.proto.inference.ModelInput;
import io.mlserve.proto.inference.ModelInstanceGroup;
import io.mlserve.proto.inference.ModelOutput;
import io.mlserve.proto.inference.ModelQueuePolicy;
import io.mlserve.proto.inference.ModelTensorReshape;
import io.mlserve.proto.inference.ModelVersionPolicy;
import io.mlserve.server.batch.BatchSettings;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.serving.InferenceService;
import io.mlserve.server.serving.ModelRef;
import io.mlserve.store.Manifest;
import io.mlserve.store.ModelFormat;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.TensorSpec;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers Triton's model configuration extension ({@code ModelConfig} over gRPC,
 * {@code GET /v2/models/{m}[/versions/{v}]/config} over REST) with a configuration synthesised
 * from the version's manifest and its batcher's settings, so that tools which read Triton's
 * configuration (perf_analyzer, model analyzer, client libraries) find what they look for:
 *
 * <ul>
 *   <li>{@code platform} and {@code backend} from the manifest's format ({@code
 *       pytorch_libtorch}/{@code pytorch}, {@code onnxruntime_onnx}/{@code onnxruntime});
 *   <li>{@code max_batch_size}: the batcher's limit when requests carry a batch dimension (every
 *       input's first dimension is -1), else 0; with a batch dimension, inputs' and outputs'
 *       {@code dims} leave it out, as Triton's do (a tensor of shape [-1] becomes dims [1] with an
 *       empty reshape, Triton's spelling of one value per row);
 *   <li>{@code data_type}: {@code TYPE_} and the datatype ({@code BYTES} is {@code TYPE_STRING});
 *   <li>{@code dynamic_batching} (batched models): the queue delay, and the queue's capacity and
 *       timeout as the default queue policy (a request that waits out the timeout is rejected);
 *   <li>{@code instance_group}: the instance count, on the CPU or on GPU n for device
 *       {@code gpuN};
 *   <li>{@code version_policy}: {@code all}, as any registered version can be named in a request
 *       (a version that is not loaded is loaded on demand).
 * </ul>
 *
 * <p>Transport-free. Thread-safe.
 */
public final class TritonModelConfig {
  private static final Pattern GPU = Pattern.compile("gpu(\\d{0,4})");

  private final InferenceService service;

  public TritonModelConfig(InferenceService service) {
    this.service = Objects.requireNonNull(service, "service");
  }

  /**
   * @param version empty: the version unversioned requests get; else a version or stage name
   * @throws io.mlserve.server.core.InferenceException NOT_FOUND for a model or version that is
   *     not loaded
   */
  public ModelConfig config(String name, String version) {
    ServedModel m = service.loaded(ModelRef.fromVersionField(name, version));
    return synthesize(m.manifest(), m.batchable(), m.batchSettings());
  }

  /** The configuration of a version with this manifest, batch dimension and batcher settings. */
  public static ModelConfig synthesize(Manifest manifest, boolean batchable,
      BatchSettings settings) {
    int maxBatch = batchable ? settings.maxBatchSize() : 0;
    ModelConfig.Builder b = ModelConfig.newBuilder()
        .setName(manifest.name())
        .setPlatform(platform(manifest))
        .setBackend(backend(platform(manifest)))
        .setVersionPolicy(ModelVersionPolicy.newBuilder()
            .setAll(ModelVersionPolicy.All.getDefaultInstance()))
        .setMaxBatchSize(maxBatch);
    String file = artifactName(manifest);
    if (file != null) {
      b.setDefaultModelFilename(file);
    }
    for (TensorSpec s : manifest.signature().inputs()) {
      ModelInput.Builder in = ModelInput.newBuilder()
          .setName(s.name())
          .setDataType(dataType(s.datatype()));
      List<Long> dims = dims(s.shape(), maxBatch > 0);
      in.addAllDims(dims.isEmpty() ? List.of(1L) : dims);
      if (dims.isEmpty()) {
        in.setReshape(ModelTensorReshape.getDefaultInstance());
      }
      b.addInput(in);
    }
    for (TensorSpec s : manifest.signature().outputs()) {
      ModelOutput.Builder out = ModelOutput.newBuilder()
          .setName(s.name())
          .setDataType(dataType(s.datatype()));
      List<Long> dims = dims(s.shape(), maxBatch > 0);
      out.addAllDims(dims.isEmpty() ? List.of(1L) : dims);
      if (dims.isEmpty()) {
        out.setReshape(ModelTensorReshape.getDefaultInstance());
      }
      b.addOutput(out);
    }
    if (maxBatch > 0) {
      b.setDynamicBatching(ModelDynamicBatching.newBuilder()
          .setMaxQueueDelayMicroseconds(settings.maxQueueDelayNanos() / 1000)
          .setDefaultQueuePolicy(ModelQueuePolicy.newBuilder()
              .setTimeoutAction(ModelQueuePolicy.TimeoutAction.REJECT)
              .setDefaultTimeoutMicroseconds(settings.queueTimeoutNanos() / 1000)
              .setMaxQueueSize(settings.queueCapacity())));
    }
    b.addInstanceGroup(instanceGroup(manifest.name(), manifest.serving()));
    return b.build();
  }

  private static String platform(Manifest manifest) {
    if (manifest.platform() != null && !manifest.platform().isEmpty()) {
      return manifest.platform();
    }
    ModelFormat format = format(manifest);
    return format == null ? manifest.format() : format.platform();
  }

  private static ModelFormat format(Manifest manifest) {
    try {
      return ModelFormat.parse(manifest.format());
    } catch (IllegalArgumentException unknown) {
      return null;
    }
  }

  private static String artifactName(Manifest manifest) {
    ModelFormat format = format(manifest);
    return format == null ? null : format.artifactName();
  }

  /** Triton's backend for a platform it knows; empty otherwise. */
  static String backend(String platform) {
    return switch (platform) {
      case "pytorch_libtorch" -> "pytorch";
      case "onnxruntime_onnx" -> "onnxruntime";
      default -> "";
    };
  }

  /** {@code TYPE_FP32} for {@code FP32}; {@code TYPE_STRING} for {@code BYTES}. */
  static DataType dataType(String datatype) {
    String name = datatype.toUpperCase(Locale.ROOT);
    if (name.equals("BYTES")) {
      return DataType.TYPE_STRING;
    }
    try {
      return DataType.valueOf("TYPE_" + name);
    } catch (IllegalArgumentException unknown) {
      return DataType.TYPE_INVALID;
    }
  }

  private static List<Long> dims(List<Long> shape, boolean dropBatch) {
    return dropBatch && !shape.isEmpty() ? shape.subList(1, shape.size()) : shape;
  }

  private static ModelInstanceGroup instanceGroup(String name, ServingConfig serving) {
    ModelInstanceGroup.Builder g = ModelInstanceGroup.newBuilder()
        .setName(name + "_0")
        .setCount(serving.instances());
    Matcher gpu = GPU.matcher(serving.device().toLowerCase(Locale.ROOT));
    if (gpu.matches()) {
      g.setKind(ModelInstanceGroup.Kind.KIND_GPU)
          .addGpus(gpu.group(1).isEmpty() ? 0 : Integer.parseInt(gpu.group(1)));
    } else {
      g.setKind(ModelInstanceGroup.Kind.KIND_CPU);
    }
    return g.build();
  }
}
