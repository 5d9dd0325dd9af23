package io.mlserve.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.server.testing.EchoBytesModel;
import io.mlserve.store.Manifest;
import io.mlserve.store.ServingConfig;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading versions with BYTES tensors: warm-up with empty strings at every bucket, golden string
 * outputs compared exactly, and the TorchScript engine's refusal as a load error.
 */
class BytesHealthCheckTest {
  @TempDir Path dir;

  @Test
  void warmUpRunsEveryBucketOnEmptyStringsAndGoldenStringsMatch() throws Exception {
    Files.writeString(dir.resolve(Examples.FILE), "{\"inputs\":[\"a\",\"é\",\"\"],"
        + "\"outputs\":{\"label\":[\"a!\",\"é!\",\"!\"],\"length\":[1,2,0]}}");
    EchoBytesModel model = new EchoBytesModel();
    model.load(dir, "1", 4).close();
    // buckets 1, 2, 4 from the examples' rows repeated, then the golden batch of 3 as 4
    assertEquals(List.of(1L, 2L, 4L, 4L), model.batchRows);
  }

  @Test
  void aGoldenStringThatDiffersFailsTheLoadNamingTheElement() throws Exception {
    Files.writeString(dir.resolve(Examples.FILE), "{\"inputs\":[\"a\",\"b\"],"
        + "\"outputs\":{\"label\":[\"a!\",\"B!\"],\"length\":[1,1]}}");
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> new EchoBytesModel().load(dir, "1", 4));
    assertTrue(e.getMessage().endsWith(
        "golden output 'label' differs at element 1: expected \"B!\", got \"b!\""),
        e.getMessage());
  }

  @Test
  void theTorchScriptEngineRefusesBytesAtLoad() throws Exception {
    Files.copy(DemoModel.dir().resolve("model.pt"), dir.resolve("model.pt"));
    Manifest m = new Manifest("demo", "1", "torchscript", "model.pt", "pytorch_libtorch", null,
        null, new Signature(List.of(new TensorSpec("curve", "FP32", List.of(-1L, 24L))),
            List.of(new TensorSpec("label", "BYTES", List.of(-1L)))),
        ServingConfig.defaults(), Map.of(), Map.of(), null, null);
    ModelLoader loader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
        Function.identity(), new MetricsRegistry(), Telemetry.disabled());
    // what registration runs (EngineArtifactValidator; VersionInstaller makes it a 400)
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> loader.check(dir, m));
    assertTrue(e.getMessage().endsWith("load failed: output 'label' is BYTES (strings), which "
        + "the TorchScript engine does not carry; declare a numeric datatype, or serve the "
        + "model in a format whose engine takes strings (onnx)"), e.getMessage());
  }
}
