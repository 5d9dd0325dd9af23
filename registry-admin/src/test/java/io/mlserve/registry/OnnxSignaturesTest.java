package io.mlserve.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ONNX graph's signature read from the file, on copies of the server's fixtures
 * (server/src/test/resources/onnx/make_fixtures.py writes them).
 */
class OnnxSignaturesTest {
  @TempDir Path tmp;

  private Path fixture(String name) throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/onnx/" + name)) {
      return Files.write(tmp.resolve(name), in.readAllBytes());
    }
  }

  private static TensorSpec spec(String name, String type, Long... shape) {
    return new TensorSpec(name, type, List.of(shape));
  }

  @Test
  void readsInputsWithoutInitializersAndOutputsWithSymbolicBatch() throws Exception {
    assertEquals(new Signature(List.of(spec("x", "FP32", -1L, 3L)),
        List.of(spec("y", "FP32", -1L, 2L))), OnnxSignatures.read(fixture("dense_dynamic.onnx")));
    assertEquals(new Signature(List.of(spec("a", "INT64", -1L, 2L), spec("b", "FP64", -1L, 2L)),
        List.of(spec("sum", "FP64", -1L, 2L), spec("twice", "INT64", -1L, 2L))),
        OnnxSignatures.read(fixture("mixed_types.onnx")));
    assertEquals(List.of(spec("label", "BYTES", -1L), spec("probabilities", "FP32", -1L, 3L)),
        OnnxSignatures.read(fixture("string_label.onnx")).outputs());
  }

  @Test
  void aZipMapOutputIsRefusedWithTheFix() throws Exception {
    Path zipmap = fixture("zipmap.onnx");
    String why = assertThrows(InvalidRequestException.class, () -> OnnxSignatures.read(zipmap))
        .getMessage();
    assertTrue(why.startsWith("the ONNX graph's output 'probability_map' is a sequence"), why);
    assertTrue(why.contains("without ZipMap"), why);
  }
}
