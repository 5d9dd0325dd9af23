package io.mlserve.server.engine.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.mlserve.server.engine.EngineArtifacts;
import io.mlserve.server.engine.InferenceEngine;
import io.mlserve.server.engine.LoadedModel;
import io.mlserve.store.Manifest;
import io.mlserve.store.Signature;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads ONNX artifacts ({@code format: onnx}, {@code model.onnx}) with the ONNX Runtime Java API.
 * The native library comes from the onnxruntime jar: ONNX Runtime extracts it to a temporary
 * directory at first use, or loads it from {@code -Donnxruntime.native.path=DIR} (the Docker
 * image pre-extracts it there); nothing is downloaded.
 *
 * <p>At load the graph is read: its signature is served when the manifest gives none and checked
 * against the manifest's when it gives one ({@link SignatureCheck}); ZipMap outputs and element
 * types mlserve has no datatype for are refused ({@link OnnxGraph}). Every runner owns one
 * session with {@code threads_per_instance} intra-op threads and one inter-op thread.
 *
 * <p>This class is thread-safe.
 */
public final class OnnxEngine implements InferenceEngine {
  private static final Logger log = LoggerFactory.getLogger(OnnxEngine.class);

  @Override
  public boolean supports(String format) {
    return format != null && format.toLowerCase(Locale.ROOT).equals("onnx");
  }

  @Override
  public LoadedModel load(Path versionDir, Manifest manifest) throws Exception {
    Path artifact = EngineArtifacts.require(this, versionDir, manifest, "onnx");
    String label = manifest.name() + ":" + manifest.version();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int threads = manifest.serving().threadsPerInstance();
    SessionFactory sessions = new SessionFactory(env, artifact, manifest.serving().device(),
        manifest.serving().allowCpuFallback());
    OrtSession first = sessions.open(threads);
    try {
      OnnxGraph graph = OnnxGraph.of(first.getInputInfo(), first.getOutputInfo());
      Signature signature = SignatureCheck.resolve(graph, manifest.signature());
      boolean dynamic = OnnxGraph.dynamicBatch(signature.inputs())
          && OnnxGraph.dynamicBatch(signature.outputs());
      OnnxPlacement placement = sessions.placement();
      if (placement.fallbackReason() != null) {
        log.warn("{}: serving on the CPU (serving.allow_cpu_fallback): {}", label,
            placement.fallbackReason());
      }
      return new OnnxLoadedModel(env, sessions, first, threads, signature, dynamic,
          placement.device());
    } catch (RuntimeException | OrtException e) {
      first.close();
      throw e;
    }
  }
}
