package io.mlserve.server.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.all.Engines;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoadException;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.model.ServedModel;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.OnnxFixtures;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX versions through the server's real {@link ModelLoader} with both engines: the batch
 * decision, the graph's signature served, and each refusal's reason as clients read it.
 */
class OnnxModelLoaderTest {
  @TempDir Path tmp;
  private final ModelLoader loader = new ModelLoader(Engines.all(), Ticker.system(),
      Function.identity(), new MetricsRegistry(), Telemetry.disabled());

  private static final Signature DENSE = new Signature(
      List.of(new TensorSpec("x", "FP32", List.of(-1L, 3L))),
      List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L))));

  private ServedModel load(String fixture, Signature signature) throws Exception {
    Path dir = OnnxFixtures.versionDir(tmp.resolve(fixture), fixture);
    Manifest m = OnnxFixtures.manifest("m", "1.0.0", signature,
        ServingConfig.defaults().withMaxBatchSize(16));
    return loader.load(dir, m);
  }

  private String refusal(String fixture, Signature signature) {
    return assertThrows(ModelLoadException.class, () -> load(fixture, signature).close())
        .getMessage();
  }

  @Test
  void aDynamicBatchDimensionBatchesAsTheManifestSays() throws Exception {
    try (ServedModel m = load("dense_dynamic.onnx", DENSE)) {
      assertEquals(16, m.maxBatchSize());
      assertFalse(m.fixedBatch());
      assertEquals("cpu", m.device());
    }
  }

  @Test
  void aFixedBatchDimensionForcesMaxBatchOne() throws Exception {
    try (ServedModel m = load("dense_fixed.onnx", DENSE)) {
      assertEquals(1, m.maxBatchSize());
      assertTrue(m.fixedBatch());
      assertEquals(List.of(1L, 3L), m.manifest().signature().inputs().get(0).shape());
    }
  }

  @Test
  void aManifestWithoutSignatureServesTheGraphs() throws Exception {
    try (ServedModel m = load("mixed_types.onnx", Signature.empty())) {
      assertEquals(List.of("a", "b"), m.manifest().signature().inputs()
          .stream().map(TensorSpec::name).toList());
      assertEquals(List.of("FP64", "INT64"), m.manifest().signature().outputs()
          .stream().map(TensorSpec::datatype).toList());
      assertEquals(16, m.maxBatchSize());
      Tensor[] out = m.infer(List.of(
          new Tensor("a", DataType.INT64, new long[] {1, 2}, new byte[16]),
          new Tensor("b", DataType.FP64, new long[] {1, 2}, new byte[16])), Long.MAX_VALUE).get();
      assertEquals(2, out.length);
      assertEquals(List.of(1L, 2L), java.util.Arrays.stream(out[1].shape()).boxed().toList());
    }
  }

  @Test
  void refusalsNameTheReason() {
    assertTrue(refusal("corrupt.onnx", DENSE).startsWith(
        "m:1.0.0: load failed: the artifact is not an ONNX model ONNX Runtime can load"));
    assertEquals("m:1.0.0: load failed: manifest input 'x' does not match the ONNX graph:"
        + " datatype FP64 in the manifest, FP32 in the graph",
        refusal("dense_dynamic.onnx", new Signature(
            List.of(new TensorSpec("x", "FP64", List.of(-1L, 3L))), DENSE.outputs())));
    assertTrue(refusal("bfloat16.onnx", Signature.empty())
        .contains("input 'x' has ONNX element type bfloat16, which is not served"));
    assertTrue(refusal("zipmap.onnx", Signature.empty())
        .contains("output 'probability_map' is a sequence of maps"));
  }

  @Test
  void aCorruptFilesReasonCarriesNoServerPath() {
    String why = refusal("corrupt.onnx", DENSE);
    assertFalse(why.contains(tmp.toString()), why);
  }
}
