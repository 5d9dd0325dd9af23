package io.mlserve.server.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlserve.dataset.DatasetBatch;
import io.mlserve.dataset.InputArray;
import io.mlserve.evaluation.Predictor;
import io.mlserve.server.batch.Ticker;
import io.mlserve.server.engine.djl.DjlEngine;
import io.mlserve.server.metrics.MetricsRegistry;
import io.mlserve.server.metrics.Telemetry;
import io.mlserve.server.model.ModelLoader;
import io.mlserve.server.testing.DemoModel;
import io.mlserve.store.Manifest;
import io.mlserve.store.ManifestCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The engine side of an evaluation with the real DJL engine and the demo model: a batch larger
 * than the max batch size is cut into chunks and answered row for row as the golden examples
 * say, each version's instance is loaded once, and close frees them.
 */
class EnginePredictorTest {
  private final MetricsRegistry metrics = new MetricsRegistry();
  private final ModelLoader loader = new ModelLoader(List.of(new DjlEngine()), Ticker.system(),
      Function.identity(), metrics, Telemetry.disabled());

  @Test
  void aBatchOfManyChunksIsAnsweredRowForRowOnOneBackgroundInstance() throws Exception {
    Manifest manifest = ManifestCodec.read(DemoModel.dir().resolve("model.json"));
    JsonNode examples = DemoModel.examples();
    int golden = examples.get("inputs").size();
    int rows = 64 * 3 + 5; // max batch 64: four chunks, the last partial
    ByteBuffer in = ByteBuffer.allocate(rows * 24 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < rows; r++) {
      for (float v : DemoModel.row(examples.get("inputs"), r % golden)) {
        in.putFloat(v);
      }
    }
    DatasetBatch batch = new DatasetBatch(0, rows,
        List.of(new InputArray("curve", "FP32", new long[] {rows, 24}, in.array())),
        new double[rows], 1);
    AtomicInteger loads = new AtomicInteger();
    EnginePredictor.Instances instances = v -> {
      loads.incrementAndGet();
      return loader.loadBackground(DemoModel.dir(), manifest);
    };
    try (EnginePredictor p = new EnginePredictor(instances, null, Ticker.system(),
        Duration.ofSeconds(60))) {
      Predictor.Prediction out = p.predict("1.0.0", batch);
      p.predict("1.0.0", batch);
      assertEquals(24, out.width());
      assertEquals(rows * 24, out.values().length);
      for (int r = 0; r < rows; r++) {
        float[] want = DemoModel.row(examples.get("outputs"), r % golden);
        for (int i = 0; i < 24; i++) {
          assertEquals(want[i], out.values()[r * 24 + i], 1e-4, "row " + r + " value " + i);
        }
      }
      assertEquals(1, loads.get(), "one instance per version for the whole evaluation");
      assertTrue(metrics.all().isEmpty(), "an evaluation is not the version's traffic");
    }
    try (EnginePredictor p = new EnginePredictor(instances, "nope", Ticker.system(),
        Duration.ofSeconds(5))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> p.predict("1.0.0", batch));
      assertEquals("curve_forecaster:1.0.0 has no output 'nope' (outputs: forecast)",
          e.getMessage());
    }
  }
}
