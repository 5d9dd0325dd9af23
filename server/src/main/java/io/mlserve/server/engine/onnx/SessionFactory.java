package io.mlserve.server.engine.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.nio.file.Path;

/**
 * Opens sessions of one ONNX artifact, each with its own intra-op thread pool, on the device the
 * first session chose ({@link OnnxPlacement}). Thread-safe: {@link #open} may be called by any
 * thread; the placement is decided once, by the first call.
 */
final class SessionFactory {
  private final OrtEnvironment env;
  private final Path artifact;
  private final String device;
  private final boolean allowCpuFallback;
  private OnnxPlacement placement;

  SessionFactory(OrtEnvironment env, Path artifact, String device, boolean allowCpuFallback) {
    this.env = env;
    this.artifact = artifact;
    this.device = device;
    this.allowCpuFallback = allowCpuFallback;
  }

  /**
   * A new session with {@code intraOpThreads} intra-op threads and one inter-op thread, which
   * does not spin between runs (the batcher's workers would otherwise keep cores busy while idle).
   *
   * @throws IllegalArgumentException when the artifact is not a model ONNX Runtime can load, or
   *     the device cannot serve
   */
  synchronized OrtSession open(int intraOpThreads) throws OrtException {
    try (SessionOptions options = new SessionOptions()) {
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      if (placement == null) {
        placement = OnnxPlacement.choose(device, allowCpuFallback, options::addCUDA);
      } else if (!placement.device().equals("cpu")) {
        options.addCUDA(Integer.parseInt(placement.device().substring(3)));
      }
      try {
        return env.createSession(artifact.toString(), options);
      } catch (OrtException e) {
        throw new IllegalArgumentException("the artifact is not an ONNX model ONNX Runtime can"
            + " load: " + e.getMessage(), e);
      }
    }
  }

  /** The device sessions run on; decided by the first {@link #open}. */
  synchronized OnnxPlacement placement() {
    return placement;
  }
}
