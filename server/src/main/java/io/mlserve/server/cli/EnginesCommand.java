package io.mlserve.server.cli;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code mlserve engines}: starts the PyTorch engine (extracting its native libraries into
 * {@code DJL_CACHE_DIR} if needed, so an image can be prepared for offline start) and ONNX
 * Runtime (from {@code -Donnxruntime.native.path} when set, else extracted from its jar to a
 * temporary directory), and prints their versions, the GPUs libtorch sees and ONNX Runtime's
 * execution providers (CUDA only in the {@code -Pgpu} build).
 */
@Command(name = "engines", mixinStandardHelpOptions = true,
    description = "Start the engines once and print their versions and GPU count.")
final class EnginesCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    System.setProperty("OPT_OUT_TRACKING", System.getProperty("OPT_OUT_TRACKING", "true"));
    Engine e = Engine.getEngine("PyTorch");
    System.out.println(e.getEngineName() + " " + e.getVersion() + ", GPUs: " + e.getGpuCount());
    OrtEnvironment ort = OrtEnvironment.getEnvironment();
    System.out.println("OnnxRuntime " + ort.getVersion() + ", execution providers: "
        + OrtEnvironment.getAvailableProviders());
    return 0;
  }
}
