package io.mlserve.server.engine.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;

import io.mlserve.server.engine.LoadedModel;
import io.mlserve.server.engine.ModelRunner;
import io.mlserve.server.tensor.BytesElements;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.testing.OnnxFixtures;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real ONNX Runtime engine on the committed fixtures. */
class OnnxEngineTest {
  @TempDir Path tmp;

  private LoadedModel load(String fixture, Signature signature) throws Exception {
    return load(fixture, signature, ServingConfig.defaults());
  }

  private LoadedModel load(String fixture, Signature signature, ServingConfig serving)
      throws Exception {
    Path dir = OnnxFixtures.versionDir(tmp.resolve(fixture), fixture);
    Manifest m = OnnxFixtures.manifest("m", "1.0.0", signature, serving);
    return new OnnxEngine().load(dir, m);
  }

  private static TensorSpec spec(String name, String type, long... shape) {
    return new TensorSpec(name, type, java.util.Arrays.stream(shape).boxed().toList());
  }

  static byte[] le(int bytesPer, java.util.function.Consumer<ByteBuffer> fill, int count) {
    ByteBuffer b = ByteBuffer.allocate(bytesPer * count).order(ByteOrder.LITTLE_ENDIAN);
    fill.accept(b);
    return b.array();
  }

  @Test
  void servesTheGraphSignatureWhenTheManifestHasNone() throws Exception {
    try (LoadedModel model = load("dense_dynamic.onnx", Signature.empty());
        ModelRunner runner = model.newRunner(1)) {
      Signature sig = model.signature().orElseThrow();
      assertEquals(List.of(spec("x", "FP32", -1, 3)), sig.inputs());
      assertEquals(List.of(spec("y", "FP32", -1, 2)), sig.outputs());
      assertTrue(model.dynamicBatch());
      assertEquals("cpu", model.device());
      Tensor[] out = runner.predict(new Tensor[] {
          Tensor.ofFloats("x", new long[] {2, 3}, new float[] {1, 2, 3, 0, 0, 0})});
      // y = x @ [[1, .5], [-1, 2], [.25, -.5]] + [.5, -1]
      assertArrayEquals(new long[] {2, 2}, out[0].shape());
      assertArrayEquals(new float[] {1 - 2 + 0.75f + 0.5f, 0.5f + 4 - 1.5f - 1, 0.5f, -1},
          out[0].toFloats());
    }
  }

  @Test
  void aFixedBatchDimensionTurnsDynamicBatchOff() throws Exception {
    try (LoadedModel model = load("dense_fixed.onnx", new Signature(
        List.of(spec("x", "FP32", -1, 3)), List.of(spec("y", "FP32", -1, 2))))) {
      assertFalse(model.dynamicBatch());
      assertEquals(List.of(spec("x", "FP32", 1, 3)), model.signature().orElseThrow().inputs());
    }
  }

  @Test
  void servesInt64AndFp64InputsAndOutputs() throws Exception {
    try (LoadedModel model = load("mixed_types.onnx", Signature.empty());
        ModelRunner runner = model.newRunner(2)) {
      Tensor a = new Tensor("a", DataType.INT64, new long[] {1, 2},
          le(8, b -> b.putLong(3).putLong(-4), 2));
      Tensor b = new Tensor("b", DataType.FP64, new long[] {1, 2},
          le(8, bb -> bb.putDouble(0.5).putDouble(0.25), 2));
      Tensor[] out = runner.predict(new Tensor[] {a, b});
      assertEquals(DataType.FP64, out[0].dataType());
      ByteBuffer sum = out[0].buffer();
      assertEquals(3.5, sum.getDouble(0));
      assertEquals(-3.75, sum.getDouble(8));
      assertEquals(DataType.INT64, out[1].dataType());
      assertEquals(6, out[1].buffer().getLong(0));
      assertEquals(-8, out[1].buffer().getLong(8));
    }
  }

  @Test
  void servesStringLabelsAsBytesAndProbabilitiesAsATensor() throws Exception {
    try (LoadedModel model = load("string_label.onnx", Signature.empty());
        ModelRunner runner = model.newRunner(1)) {
      assertEquals(List.of(spec("label", "BYTES", -1), spec("probabilities", "FP32", -1, 3)),
          model.signature().orElseThrow().outputs());
      Tensor[] out = runner.predict(new Tensor[] {
          Tensor.ofFloats("x", new long[] {2, 2}, new float[] {0.2f, 9, 0.9f, 9})});
      assertEquals(DataType.BYTES, out[0].dataType());
      assertEquals(List.of("no", "yes"), BytesElements.decode(out[0]).stream()
          .map(b -> new String(b, StandardCharsets.UTF_8)).toList());
      assertArrayEquals(new float[] {0.75f, 0.125f, 0.125f, 0.125f, 0.125f, 0.75f}, out[1].toFloats());
    }
  }

  @Test
  void zipMapOutputsAreRefusedWithTheFix() {
    Exception e = assertThrows(IllegalArgumentException.class,
        () -> load("zipmap.onnx", Signature.empty()).close());
    assertTrue(e.getMessage().contains("'probability_map'"), e.getMessage());
    assertTrue(e.getMessage().contains("without ZipMap"), e.getMessage());
  }

  @Test
  void anUnsupportedElementTypeIsRefusedNamingTheTensor() {
    Exception e = assertThrows(IllegalArgumentException.class,
        () -> load("bfloat16.onnx", Signature.empty()).close());
    assertTrue(e.getMessage().contains("input 'x' has ONNX element type bfloat16"),
        e.getMessage());
  }

  @Test
  void aCorruptFileIsRefused() {
    Exception e = assertThrows(IllegalArgumentException.class,
        () -> load("corrupt.onnx", Signature.empty()).close());
    assertTrue(e.getMessage().startsWith("the artifact is not an ONNX model"), e.getMessage());
  }

  @Test
  void aManifestInputTheGraphLacksIsRefusedNamingIt() {
    Exception e = assertThrows(IllegalArgumentException.class,
        () -> load("dense_dynamic.onnx", new Signature(List.of(spec("features", "FP32", -1, 3)),
            List.of(spec("y", "FP32", -1, 2)))).close());
    assertEquals("manifest input 'features' is not an input of the ONNX graph (graph inputs: x)",
        e.getMessage());
  }

  @Test
  void aManifestDatatypeOrShapeOtherThanTheGraphsIsRefused() {
    Exception type = assertThrows(IllegalArgumentException.class,
        () -> load("dense_dynamic.onnx", new Signature(List.of(spec("x", "FP64", -1, 3)),
            List.of())).close());
    assertEquals("manifest input 'x' does not match the ONNX graph: datatype FP64 in the"
        + " manifest, FP32 in the graph", type.getMessage());
    Exception dim = assertThrows(IllegalArgumentException.class,
        () -> load("dense_dynamic.onnx", new Signature(List.of(spec("x", "FP32", -1, 4)),
            List.of())).close());
    assertEquals("manifest input 'x' does not match the ONNX graph: dimension 1 is 4 in the"
        + " manifest, 3 in the graph", dim.getMessage());
  }

  @Test
  void aGraphInputMissingFromTheManifestIsRefused() {
    Exception e = assertThrows(IllegalArgumentException.class,
        () -> load("mixed_types.onnx", new Signature(List.of(spec("a", "INT64", -1, 2)),
            List.of())).close());
    assertEquals("the ONNX graph's input 'b' is missing from the manifest's signature",
        e.getMessage());
  }

  @Test
  void manifestOutputsPickAndOrderTheGraphOutputs() throws Exception {
    Signature only = new Signature(List.of(), List.of(spec("twice", "INT64", -1, 2)));
    try (LoadedModel model = load("mixed_types.onnx", only);
        ModelRunner runner = model.newRunner(1)) {
      Tensor[] out = runner.predict(new Tensor[] {
          new Tensor("a", DataType.INT64, new long[] {1, 2}, le(8, b -> b.putLong(1).putLong(2), 2)),
          new Tensor("b", DataType.FP64, new long[] {1, 2}, new byte[16])});
      assertEquals(1, out.length);
      assertEquals("twice", out[0].name());
      assertEquals(4, out[0].buffer().getLong(8));
    }
  }

  @Test
  void aGpuDeviceWithoutCudaIsRefusedUnlessCpuFallbackIsAllowed() throws Exception {
    assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
        "this ONNX Runtime build has CUDA");
    ServingConfig gpu = ServingConfig.defaults().withDevice("gpu0");
    Exception e = assertThrows(IllegalArgumentException.class,
        () -> load("dense_dynamic.onnx", Signature.empty(), gpu).close());
    assertTrue(e.getMessage().startsWith("device gpu0 requested but ONNX Runtime's CUDA"
        + " execution provider cannot serve gpu0"), e.getMessage());
    assertTrue(e.getMessage().contains("serving.allow_cpu_fallback: true"), e.getMessage());
    try (LoadedModel model = load("dense_dynamic.onnx", Signature.empty(),
        gpu.withAllowCpuFallback(true)); ModelRunner runner = model.newRunner(1)) {
      assertEquals("cpu", model.device());
      assertEquals(2, runner.predict(new Tensor[] {
          Tensor.ofFloats("x", new long[] {1, 3}, new float[] {1, 2, 3})})[0].dim(1));
    }
  }

  @Test
  void aClosedRunnersSessionIsGone() throws Exception {
    ModelRunner closed;
    try (LoadedModel model = load("dense_dynamic.onnx", Signature.empty())) {
      closed = model.newRunner(1);
      closed.close();
    }
    Tensor[] in = {Tensor.ofFloats("x", new long[] {1, 3}, new float[] {1, 2, 3})};
    assertThrows(IllegalStateException.class, () -> closed.predict(in));
  }
}
