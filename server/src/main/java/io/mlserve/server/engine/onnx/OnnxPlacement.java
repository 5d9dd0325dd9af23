package io.mlserve.server.engine.onnx;

import io.mlserve.server.engine.DeviceNames;
import java.util.OptionalInt;

/**
 * Where an ONNX version runs: the manifest's {@code serving.device} decides, {@code gpuN} through
 * ONNX Runtime's CUDA execution provider. When CUDA cannot be attached (the CPU build of ONNX
 * Runtime, no driver, no such GPU) the load is refused, unless the manifest sets
 * {@code serving.allow_cpu_fallback: true}, in which case the version serves on the CPU and
 * {@link #fallbackReason()} says why. Immutable.
 *
 * @param device the canonical device that serves ({@code cpu} or {@code gpuN})
 * @param fallbackReason why a GPU version serves on the CPU; null when it serves where asked
 */
record OnnxPlacement(String device, String fallbackReason) {

  /** Attaches the CUDA execution provider for one GPU to a session's options. */
  @FunctionalInterface
  interface CudaAttach {
    /** @throws Exception when CUDA cannot serve that GPU */
    void attach(int gpu) throws Exception;
  }

  /**
   * Chooses the device for a session and, for a GPU, attaches CUDA through {@code cuda}.
   *
   * @throws IllegalArgumentException for an unknown device name, or a GPU that CUDA cannot serve
   *     when fallback is not allowed
   */
  static OnnxPlacement choose(String requested, boolean allowCpuFallback, CudaAttach cuda) {
    OptionalInt gpu = DeviceNames.gpuIndex(requested);
    if (gpu.isEmpty()) {
      return new OnnxPlacement("cpu", null);
    }
    String name = "gpu" + gpu.getAsInt();
    try {
      cuda.attach(gpu.getAsInt());
      return new OnnxPlacement(name, null);
    } catch (Exception e) {
      String why = "ONNX Runtime's CUDA execution provider cannot serve " + name + " ("
          + firstLine(e.getMessage()) + ")";
      if (allowCpuFallback) {
        return new OnnxPlacement("cpu", why);
      }
      throw new IllegalArgumentException("device " + name + " requested but " + why
          + "; run the GPU build (mvn -Pgpu, CUDA 12 and cuDNN 9 on the host) or set"
          + " serving.allow_cpu_fallback: true to serve on the CPU", e);
    }
  }

  private static String firstLine(String message) {
    if (message == null || message.isBlank()) {
      return "no reason given";
    }
    String line = message.strip().lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
