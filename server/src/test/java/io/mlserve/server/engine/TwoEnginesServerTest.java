package io.mlserve.server.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.proto.inference.GRPCInferenceServiceGrpc;
import io.mlserve.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.mlserve.proto.inference.InferTensorContents;
import io.mlserve.proto.inference.ModelInferRequest;
import io.mlserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.mlserve.proto.inference.ModelInferResponse;
import io.mlserve.registry.RegisterRequest;
import io.mlserve.server.metrics.PrometheusText;
import io.mlserve.server.reload.GuardPolicy;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.OnnxFixtures;
import io.mlserve.server.testing.ServerFixture;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import io.mlserve.store.Stage;
import io.mlserve.store.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real server with both engines: the TorchScript demo model and an ONNX model are
 * registered, promoted, loaded, warmed and served side by side over gRPC.
 */
class TwoEnginesServerTest {
  @TempDir Path dir;

  @Test
  void torchScriptAndOnnxServeInOneServer() throws Exception {
    try (ServerFixture fx = new ServerFixture(dir.resolve("store"), m -> GuardPolicy.off(),
        false)) {
      fx.registerDemo("1.0.0", true);
      fx.registry.promote("curve_forecaster", "1.0.0", Stage.PRODUCTION, "test", "setup");
      Path onnx = OnnxFixtures.versionDir(dir.resolve("upload"), "dense_dynamic.onnx");
      Signature sig = new Signature(List.of(new TensorSpec("x", "FP32", List.of(-1L, 3L))),
          List.of(new TensorSpec("y", "FP32", List.of(-1L, 2L))));
      fx.registry.register(new RegisterRequest("dense", "1.0.0", onnx.resolve("model.onnx"),
          "onnx", sig, ServingConfig.defaults().withInstances(2), null, Map.of(), Map.of(),
          "fixture", null, "test"));
      fx.registry.promote("dense", "1.0.0", Stage.PRODUCTION, "test", "setup");
      assertEquals(List.of(), fx.server.start());

      GRPCInferenceServiceBlockingStub stub =
          GRPCInferenceServiceGrpc.newBlockingStub(fx.channel);
      ModelInferResponse dense = stub.modelInfer(ModelInferRequest.newBuilder()
          .setModelName("dense")
          .addInputs(InferInputTensor.newBuilder().setName("x").setDatatype("FP32")
              .addShape(2).addShape(3).setContents(InferTensorContents.newBuilder()
                  .addFp32Contents(1).addFp32Contents(2).addFp32Contents(3)
                  .addFp32Contents(0).addFp32Contents(0).addFp32Contents(0)))
          .build());
      assertEquals("y", dense.getOutputs(0).getName());
      assertEquals(List.of(2L, 2L), dense.getOutputs(0).getShapeList());
      assertEquals(List.of(0.25f, 2.0f, 0.5f, -1.0f), floats(dense));

      InferTensorContents.Builder curve = InferTensorContents.newBuilder();
      for (float v : DemoModel.row(DemoModel.examples().get("inputs"), 0)) {
        curve.addFp32Contents(v);
      }
      ModelInferResponse torch = stub.modelInfer(ModelInferRequest.newBuilder()
          .setModelName("curve_forecaster")
          .addInputs(InferInputTensor.newBuilder().setName("curve").setDatatype("FP32")
              .addShape(1).addShape(24).setContents(curve))
          .build());
      assertEquals(24, floats(torch).size());
      assertTrue(fx.server.router().versions("dense").contains("1.0.0"));
      String metrics = new PrometheusText(fx.metrics, () -> true).render();
      assertTrue(metrics.contains(
          "mlserve_model_device{model=\"dense\",version=\"1.0.0\",device=\"cpu\"} 1"),
          metrics);
    }
  }

  @Test
  void anOnnxClassifiersStringLabelsAndProbabilitiesServeOverGrpc() throws Exception {
    try (ServerFixture fx = new ServerFixture(dir.resolve("store"), m -> GuardPolicy.off(),
        false)) {
      Path onnx = OnnxFixtures.versionDir(dir.resolve("upload"), "string_label.onnx");
      Signature sig = new Signature(List.of(new TensorSpec("x", "FP32", List.of(-1L, 2L))),
          List.of(new TensorSpec("label", "BYTES", List.of(-1L)),
              new TensorSpec("probabilities", "FP32", List.of(-1L, 3L))));
      fx.registry.register(new RegisterRequest("clf", "1.0.0", onnx.resolve("model.onnx"),
          "onnx", sig, null, null, Map.of(), Map.of(), "fixture", null, "test"));
      fx.registry.promote("clf", "1.0.0", Stage.PRODUCTION, "test", "setup");
      assertEquals(List.of(), fx.server.start());
      ModelInferResponse r = GRPCInferenceServiceGrpc.newBlockingStub(fx.channel).modelInfer(
          ModelInferRequest.newBuilder().setModelName("clf")
              .addInputs(InferInputTensor.newBuilder().setName("x").setDatatype("FP32")
                  .addShape(2).addShape(2).setContents(InferTensorContents.newBuilder()
                      .addFp32Contents(0.2f).addFp32Contents(0)
                      .addFp32Contents(0.9f).addFp32Contents(0)))
              .build());
      assertEquals("label", r.getOutputs(0).getName());
      assertEquals("BYTES", r.getOutputs(0).getDatatype());
      List<String> labels = new java.util.ArrayList<>();
      if (r.getRawOutputContentsCount() > 0) {
        java.nio.ByteBuffer b = r.getRawOutputContents(0).asReadOnlyByteBuffer()
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
          byte[] e = new byte[b.getInt()];
          b.get(e);
          labels.add(new String(e, java.nio.charset.StandardCharsets.UTF_8));
        }
      } else {
        r.getOutputs(0).getContents().getBytesContentsList()
            .forEach(bs -> labels.add(bs.toStringUtf8()));
      }
      assertEquals(List.of("no", "yes"), labels);
      assertEquals(List.of(2L, 3L), r.getOutputs(1).getShapeList());
    }
  }

  private static List<Float> floats(ModelInferResponse r) {
    if (r.getOutputs(0).hasContents()
        && r.getOutputs(0).getContents().getFp32ContentsCount() > 0) {
      return r.getOutputs(0).getContents().getFp32ContentsList();
    }
    java.nio.ByteBuffer b = r.getRawOutputContents(0).asReadOnlyByteBuffer()
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    List<Float> out = new java.util.ArrayList<>();
    while (b.hasRemaining()) {
      out.add(b.getFloat());
    }
    return out;
  }
}
