package io.mlserve.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestCodecTest {
  @TempDir Path dir;

  static Manifest sample() {
    return new Manifest("curve_forecaster", "1.0.0", "torchscript", "model.pt",
        "pytorch_libtorch", "ab12", "abc123",
        new Signature(List.of(new TensorSpec("curve", "FP32", List.of(-1L, 24L))),
            List.of(new TensorSpec("forecast", "FP32", List.of(-1L, 24L)))),
        new ServingConfig(32, 500, 256, 2, "cpu", 4),
        Map.of("lr", 0.001, "epochs", 200), Map.of("val_rmse", 0.0123), "an MLP",
        Instant.parse("2026-11-26T07:00:00Z"));
  }

  @Test
  void roundTripsThroughAFile() {
    Path file = dir.resolve("model.json");
    ManifestCodec.write(new AtomicFiles(FileOps.DEFAULT), file, sample());
    assertEquals(sample(), ManifestCodec.read(file));
  }

  @Test
  void writesSnakeCasePrettyJsonWithIsoInstant() {
    String json = ManifestCodec.toJson(sample());
    assertTrue(json.contains("\"run_id\" : \"abc123\""), json);
    assertTrue(json.contains("\"max_batch_size\" : 32"), json);
    assertTrue(json.contains("\"threads_per_instance\" : 4"), json);
    assertTrue(json.contains("\"created_at\" : \"2026-11-26T07:00:00Z\""), json);
    assertTrue(json.contains("\n  \"name\""), "pretty-printed: " + json);
    assertTrue(json.endsWith("}\n"), json);
  }

  @Test
  void missingServingTakesDefaultsAndUnknownFieldsAreIgnored() {
    Manifest m = ManifestCodec.fromJson("""
        {"name":"m","version":"1.0.0","format":"torchscript","artifact":"model.pt",
         "future_field":{"x":1},
         "signature":{"inputs":[{"name":"x","datatype":"FP32","shape":[-1,3],"extra":true}],
                      "outputs":[{"name":"y","datatype":"FP32","shape":[-1]}]}}
        """);
    assertEquals(ServingConfig.defaults(), m.serving());
    assertEquals(List.of(-1L, 3L), m.signature().inputs().get(0).shape());
    assertNull(m.runId());
    assertNull(m.createdAt());
    assertEquals(Map.of(), m.params());
  }

  @Test
  void partialServingTakesDefaultsForMissingFields() {
    Manifest m = ManifestCodec.fromJson("""
        {"name":"m","version":"1.0.0","format":"torchscript","artifact":"model.pt",
         "serving":{"max_batch_size":8,"device":"gpu0"}}
        """);
    assertEquals(new ServingConfig(8, 0, 1024, 1, "gpu0", 1), m.serving());
  }

  @Test
  void invalidServingIsRefusedWithTheReason() {
    StoreException e = assertThrows(StoreException.class, () -> ManifestCodec.fromJson("""
        {"name":"m","version":"1.0.0","format":"torchscript","artifact":"model.pt",
         "serving":{"max_batch_size":0}}
        """));
    assertTrue(e.getMessage().contains("max_batch_size must be between 1 and 4096, got 0"), e.getMessage());
  }

  @Test
  void missingRequiredFieldIsNamed() {
    StoreException e = assertThrows(StoreException.class,
        () -> ManifestCodec.fromJson("{\"name\":\"m\",\"format\":\"onnx\",\"artifact\":\"a\"}"));
    assertTrue(e.getMessage().contains("version"), e.getMessage());
  }

  @Test
  void missingFileIsNotFound() {
    assertThrows(NotFoundException.class, () -> ManifestCodec.read(dir.resolve("nope.json")));
  }
}
