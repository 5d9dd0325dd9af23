package io.mlserve.server.testing;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.InferenceEngine;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ServedModel;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Loads versions of a fake model through the real {@link ModelLoader} (real batcher, validator
 * and metrics), the engine being {@link FakeRunner}: input "x" FP32 [-1, 2], output "y" = 2x.
 * For unit tests of what sits above a loaded version. Thread-safe.
 */
public final class FakeModels {
  private final Path dir;
  private final ModelLoader loader;

  /** @param dir any existing directory (the fake engine reads nothing from it) */
  public FakeModels(Path dir, Ticker ticker, MetricsRegistry metrics) {
    this(dir, ticker, metrics, FakeRunner::new);
  }

  /**
   * Versions whose engine is the runner {@code runners} makes (e.g. one that fails or blocks),
   * with the same signature.
   */
  public FakeModels(Path dir, Ticker ticker, MetricsRegistry metrics,
      Supplier<? extends ModelRunner> runners) {
    this.dir = dir;
    InferenceEngine engine = new FakeEngine("fake", runners);
    this.loader = new ModelLoader(List.of(engine), ticker, Function.identity(), metrics,
        Telemetry.disabled());
  }

  /** A loaded, serving version. */
  public ServedModel load(String name, String version) throws Exception {
    return loader.load(dir, manifest(name, version));
  }

  /** A loaded, serving version of {@code manifest}, whose format must be "fake". */
  public ServedModel load(Manifest manifest) throws Exception {
    return loader.load(dir, manifest);
  }

  public static Manifest manifest(String name, String version) {
    return new Manifest(name, version, "fake", "none", "fake", null, null,
        new Signature(List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
            List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L)))),
        ServingConfig.defaults(), Map.of(), Map.of(), null, null);
  }
}
