package io.mlserve.server.engine.all;

import io.mlserve.server.engine.InferenceEngine;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.engine.onnx.OnnxEngine;
import java.util.List;

/**
 * The engines every server, validator and CLI loads models with: TorchScript through DJL's
 * PyTorch engine, ONNX through ONNX Runtime. Stateless; thread-safe.
 */
public final class Engines {
  private Engines() {}

  /** A fresh list of all engines, one per format family. */
  public static List<InferenceEngine> all() {
    return List.of(new DjlEngine(), new OnnxEngine());
  }
}
