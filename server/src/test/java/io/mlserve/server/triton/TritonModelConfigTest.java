package io.mlserve.server.triton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.proto.inference.DataType;
import io.mlserve.proto.inference.ModelConfig;
import io.mlserve.proto.inference.ModelInstanceGroup;
import io.mlserve.proto.inference.ModelQueuePolicy;
import io.mlserve.server.batch.BatchSettings;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Triton configuration synthesised from a manifest, and its JSON form. */
class TritonModelConfigTest {
  private static final BatchSettings SETTINGS = new BatchSettings(32, 2_000_000, 512,
      250_000_000);

  private static Manifest manifest(String format, String platform, ServingConfig serving,
      List<TensorSpec> inputs, List<TensorSpec> outputs) {
    return new Manifest("curves", "1.0.0", format, "model.bin", platform, null, null,
        new Signature(inputs, outputs), serving, Map.of(), Map.of(), null, null);
  }

  private static final Manifest DEMO = manifest("torchscript", "pytorch_libtorch",
      new ServingConfig(32, 2000, 512, 2, "cpu", 1, 250_000),
      List.of(new TensorSpec("curve", "FP32", List.of(-1L, 24L))),
      List.of(new TensorSpec("forecast", "FP32", List.of(-1L, 24L))));

  @Test
  void batchedModelLeavesTheBatchDimensionOutAndDescribesItsBatcher() {
    ModelConfig c = TritonModelConfig.synthesize(DEMO, true, SETTINGS);
    assertEquals("curves", c.getName());
    assertEquals("pytorch_libtorch", c.getPlatform());
    assertEquals("pytorch", c.getBackend());
    assertEquals("model.pt", c.getDefaultModelFilename());
    assertEquals(32, c.getMaxBatchSize());
    assertEquals("curve", c.getInput(0).getName());
    assertEquals(DataType.TYPE_FP32, c.getInput(0).getDataType());
    assertEquals(List.of(24L), c.getInput(0).getDimsList());
    assertFalse(c.getInput(0).hasReshape());
    assertEquals(List.of(24L), c.getOutput(0).getDimsList());
    assertTrue(c.hasDynamicBatching());
    assertEquals(2000, c.getDynamicBatching().getMaxQueueDelayMicroseconds());
    assertEquals(0, c.getDynamicBatching().getPreferredBatchSizeCount());
    ModelQueuePolicy q = c.getDynamicBatching().getDefaultQueuePolicy();
    assertEquals(ModelQueuePolicy.TimeoutAction.REJECT, q.getTimeoutAction());
    assertEquals(250_000, q.getDefaultTimeoutMicroseconds());
    assertEquals(512, q.getMaxQueueSize());
    assertEquals(1, c.getInstanceGroupCount());
    assertEquals(ModelInstanceGroup.Kind.KIND_CPU, c.getInstanceGroup(0).getKind());
    assertEquals(2, c.getInstanceGroup(0).getCount());
    assertTrue(c.getVersionPolicy().hasAll());
  }

  @Test
  void unbatchedModelHasMaxBatchSizeZeroFullDimsAndNoDynamicBatching() {
    Manifest m = manifest("onnx", null, ServingConfig.defaults(),
        List.of(new TensorSpec("image", "UINT8", List.of(3L, 224L, 224L))),
        List.of(new TensorSpec("label", "BYTES", List.of(1L))));
    ModelConfig c = TritonModelConfig.synthesize(m, false, new BatchSettings(1, 0, 1024,
        1_000_000_000));
    assertEquals("onnxruntime_onnx", c.getPlatform(), "platform from the format");
    assertEquals("onnxruntime", c.getBackend());
    assertEquals("model.onnx", c.getDefaultModelFilename());
    assertEquals(0, c.getMaxBatchSize());
    assertEquals(List.of(3L, 224L, 224L), c.getInput(0).getDimsList());
    assertEquals(DataType.TYPE_UINT8, c.getInput(0).getDataType());
    assertEquals(DataType.TYPE_STRING, c.getOutput(0).getDataType());
    assertEquals(List.of(1L), c.getOutput(0).getDimsList());
    assertFalse(c.hasDynamicBatching());
  }

  @Test
  void oneValuePerRowIsDimsOneWithAnEmptyReshape() {
    Manifest m = manifest("onnx", null, ServingConfig.defaults(),
        List.of(new TensorSpec("x", "FP64", List.of(-1L, 4L))),
        List.of(new TensorSpec("score", "FP32", List.of(-1L))));
    ModelConfig c = TritonModelConfig.synthesize(m, true, SETTINGS);
    assertEquals(List.of(1L), c.getOutput(0).getDimsList());
    assertTrue(c.getOutput(0).hasReshape());
    assertEquals(0, c.getOutput(0).getReshape().getShapeCount());
    assertEquals(DataType.TYPE_FP64, c.getInput(0).getDataType());
  }

  @Test
  void gpuDeviceIsAGpuInstanceGroup() {
    Manifest m = manifest("onnx", null,
        new ServingConfig(8, 0, 64, 3, "gpu1", 1, 100_000),
        DEMO.signature().inputs(), DEMO.signature().outputs());
    ModelInstanceGroup g = TritonModelConfig.synthesize(m, true, SETTINGS).getInstanceGroup(0);
    assertEquals(ModelInstanceGroup.Kind.KIND_GPU, g.getKind());
    assertEquals(List.of(1), g.getGpusList());
    assertEquals(3, g.getCount());
  }

  @Test
  void jsonIsTritonsProtobufJsonWithNumbersAndProtoFieldNames() throws Exception {
    byte[] json = TritonJson.write(TritonModelConfig.synthesize(DEMO, true, SETTINGS));
    JsonNode n = new ObjectMapper().readTree(json);
    assertEquals(32, n.get("max_batch_size").intValue());
    JsonNode in = n.get("input").get(0);
    assertEquals("TYPE_FP32", in.get("data_type").textValue());
    assertEquals("FORMAT_NONE", in.get("format").textValue(), "defaults are printed");
    assertTrue(in.get("dims").get(0).isIntegralNumber(), "int64 dims are numbers: " + in);
    assertEquals(24, in.get("dims").get(0).longValue());
    JsonNode batching = n.get("dynamic_batching");
    assertTrue(batching.get("max_queue_delay_microseconds").isIntegralNumber());
    assertEquals(2000, batching.get("max_queue_delay_microseconds").longValue());
    assertEquals(250_000,
        batching.get("default_queue_policy").get("default_timeout_microseconds").longValue());
    assertEquals("REJECT", batching.get("default_queue_policy").get("timeout_action").asText());
    assertEquals("KIND_CPU", n.get("instance_group").get(0).get("kind").asText());
    assertTrue(n.get("version_policy").get("all").isObject());
    assertFalse(n.has("sequence_batching"), "an unset oneof stays out");
    assertFalse(n.has("maxBatchSize"));
  }
}
