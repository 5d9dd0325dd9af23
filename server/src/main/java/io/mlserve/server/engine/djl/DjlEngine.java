package io.mlserve.server.engine.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import io.mlserve.server.engine.DeviceNames;
import io.mlserve.server.engine.EngineArtifacts;
import io.mlserve.server.engine.InferenceEngine;
import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.Manifest;
import io.mlserve.store.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Loads TorchScript artifacts with DJL's PyTorch engine (libtorch). The engine must run offline:
 * start the JVM with {@code -Dai.djl.offline=true -DOPT_OUT_TRACKING=true}, and set
 * {@code ai.djl.pytorch.num_threads} / {@code num_interop_threads} before the first load.
 *
 * <p>TorchScript's graph optimizer (the profiling executor's per-shape specialisation) is off by
 * default on every runner's thread: a batch then runs at its own number of rows, with no padding
 * and no re-optimisation when a new batch size comes (on the heavy MLP padding cost up to 1.7x a
 * batch and the optimizer gained nothing; on the small demo model the optimizer saves up to ~10%
 * a call, ~0.3 us a request; docs/benchmarks.md; DJL itself advises it off for inference). With
 * {@code -Dai.djl.pytorch.graph_optimizer=true} it stays on, and batches are padded to the few
 * sizes the warm-up ran ({@link LoadedModel#paddedBatches()}).
 *
 * <p>This class is thread-safe.
 */
public final class DjlEngine implements InferenceEngine {
  private static final String ENGINE = "PyTorch";
  /** DJL's own switch of the graph optimizer; this engine reads it as its default. */
  static final String GRAPH_OPTIMIZER_PROPERTY = "ai.djl.pytorch.graph_optimizer";

  private final boolean graphOptimizer;

  /** An engine with the graph optimizer as {@value #GRAPH_OPTIMIZER_PROPERTY} says (off unset). */
  public DjlEngine() {
    this(Boolean.parseBoolean(System.getProperty(GRAPH_OPTIMIZER_PROPERTY, "false")));
  }

  /**
   * @param graphOptimizer whether runners keep TorchScript's graph optimizer on (their batches
   *     are then padded to fixed sizes)
   */
  public DjlEngine(boolean graphOptimizer) {
    this.graphOptimizer = graphOptimizer;
  }

  @Override
  public boolean supports(String format) {
    String f = format == null ? "" : format.toLowerCase(Locale.ROOT);
    return f.equals("torchscript") || f.equals("pytorch");
  }

  /** Loads libtorch (DJL's engine is one per process; its first start takes the lock). */
  @Override
  public void start() {
    Engine.getEngine(ENGINE);
  }

  @Override
  public LoadedModel load(Path versionDir, Manifest manifest) throws Exception {
    Path artifact = EngineArtifacts.require(this, versionDir, manifest, "torchscript");
    for (TensorSpec s : manifest.signature().inputs()) {
      refuseBytes(s, "input");
    }
    for (TensorSpec s : manifest.signature().outputs()) {
      refuseBytes(s, "output");
    }
    if (!isZip(artifact)) {
      throw new IllegalArgumentException("the artifact is not a TorchScript archive (a zip file,"
          + " as torch.jit.save writes); an ONNX model needs format onnx");
    }
    Device device = DjlTypes.device(manifest.serving().device());
    if (device.isGpu() && Engine.getEngine(ENGINE).getGpuCount() <= device.getDeviceId()) {
      throw new IllegalArgumentException(
          "device " + manifest.serving().device() + " requested but this machine has "
              + Engine.getEngine(ENGINE).getGpuCount() + " GPU(s)");
    }
    String fileName = artifact.getFileName().toString();
    int dot = fileName.lastIndexOf('.');
    String modelName = dot > 0 ? fileName.substring(0, dot) : fileName;
    List<String> outputNames =
        manifest.signature().outputs().stream().map(TensorSpec::name).toList();
    Criteria<Tensor[], Tensor[]> criteria =
        Criteria.builder()
            .setTypes(Tensor[].class, Tensor[].class)
            .optEngine(ENGINE)
            .optDevice(device)
            .optModelPath(versionDir)
            .optModelName(modelName)
            .optTranslator(new TensorTranslator(outputNames))
            .build();
    ZooModel<Tensor[], Tensor[]> model = criteria.loadModel();
    return new DjlLoadedModel(model, outputNames, DeviceNames.canonical(manifest.serving().device()),
        graphOptimizer);
  }

  private static boolean isZip(Path artifact) throws java.io.IOException {
    byte[] head = new byte[4];
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(artifact)) {
      return in.readNBytes(head, 0, 4) == 4 && head[0] == 'P' && head[1] == 'K'
          && head[2] == 3 && head[3] == 4;
    }
  }

  /** The intra-op thread count last applied on each thread, by {@link #applyThreadCount}. */
  private static final ThreadLocal<Integer> APPLIED = new ThreadLocal<>();

  /**
   * Sets libtorch's OpenMP/MKL thread count for the calling thread, when it differs from what was
   * applied there last. libtorch keeps the count per native thread: a thread that never set it
   * ran MKL's matrix products on a team of one thread per core (two batcher workers on two cores
   * kept four native threads busy). The count is read first because libtorch resets a thread's
   * count to the process-wide last value on its first use, which would undo a set made before.
   */
  private static void applyThreadCount(int threads) {
    Integer applied = APPLIED.get();
    if (applied == null || applied != threads) {
      JniUtils.getNumThreads();
      JniUtils.setNumThreads(threads);
      APPLIED.set(threads);
    }
  }

  /** The graph optimizer setting last applied on each thread, by {@link #applyGraphOptimizer}. */
  private static final ThreadLocal<Boolean> OPTIMIZER_APPLIED = new ThreadLocal<>();

  /**
   * Turns TorchScript's graph optimizer on or off for the calling thread (libtorch keeps it per
   * thread), when it differs from what was applied there last.
   */
  private static void applyGraphOptimizer(boolean on) {
    Boolean applied = OPTIMIZER_APPLIED.get();
    if (applied == null || applied != on) {
      JniUtils.setGraphExecutorOptimize(on);
      OPTIMIZER_APPLIED.set(on);
    }
  }

  /** A loaded TorchScript module; each runner has its own predictor and translator. */
  private static final class DjlLoadedModel implements LoadedModel {
    private final ZooModel<Tensor[], Tensor[]> model;
    private final List<String> outputNames;
    private final String device;
    private final boolean graphOptimizer;

    DjlLoadedModel(ZooModel<Tensor[], Tensor[]> model, List<String> outputNames, String device,
        boolean graphOptimizer) {
      this.model = model;
      this.outputNames = outputNames;
      this.device = device;
      this.graphOptimizer = graphOptimizer;
    }

    @Override
    public boolean paddedBatches() {
      return graphOptimizer;
    }

    @Override
    public String device() {
      return device;
    }

    @Override
    public ModelRunner newRunner(int intraOpThreads) {
      if (intraOpThreads < 1) {
        throw new IllegalArgumentException("intraOpThreads must be >= 1, got " + intraOpThreads);
      }
      Predictor<Tensor[], Tensor[]> predictor =
          model.newPredictor(new TensorTranslator(outputNames));
      return new ModelRunner() {
        @Override
        public Tensor[] predict(Tensor[] inputs) throws Exception {
          applyThreadCount(intraOpThreads);
          applyGraphOptimizer(graphOptimizer);
          return predictor.predict(inputs);
        }

        @Override
        public void close() {
          predictor.close();
        }
      };
    }

    @Override
    public void close() {
      model.close();
    }
  }

  /** TorchScript tensors are numeric: a BYTES (string) tensor in the signature is refused. */
  private static void refuseBytes(TensorSpec s, String side) {
    if ("BYTES".equalsIgnoreCase(s.datatype())) {
      throw new IllegalArgumentException(side + " '" + s.name() + "' is BYTES (strings), which "
          + "the TorchScript engine does not carry; declare a numeric datatype, or serve the "
          + "model in a format whose engine takes strings (onnx)");
    }
  }
}
