package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.proto.inference.ModelInferRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class InferRequestsTest {
  private static List<ModelInferRequest> pool(int features, boolean raw) {
    Workload w = new Workload(List.of(new ModelInput("curve_forecaster", 1, "curve", features,
        Inputs.generated(features, Workload.PER_MODEL))), 1);
    return List.of(InferRequests.pool(w, raw));
  }

  @Test
  void mixInterleavesModelsByWeightAndBatches() {
    Workload w = new Workload(List.of(
        new ModelInput("a", 3, "x", 2, Inputs.generated(2, 8)),
        new ModelInput("b", 1, "y", 2, Inputs.generated(2, 8))), 2);
    assertEquals(4 * Workload.PER_MODEL, w.size());
    assertEquals(List.of(0, 0, 0, 1, 0, 0, 0, 1), java.util.stream.IntStream.range(0, 8)
        .map(w::modelOf).boxed().toList());
    ModelInferRequest r = InferRequests.pool(w, false)[3];
    assertEquals("b", r.getModelName());
    assertEquals(List.of(2L, 2L), r.getInputs(0).getShapeList());
    assertEquals(4, r.getInputs(0).getContents().getFp32ContentsCount());
  }

  @Test
  void aLargeInputFileIsSentWholeNotItsFirstRows() {
    List<float[]> rows = Inputs.generated(2, 500);
    Workload w = new Workload(List.of(new ModelInput("a", 1, "x", 2, rows)), 1);
    assertEquals(500, w.size());
    java.util.Set<float[]> sent = java.util.Collections.newSetFromMap(
        new java.util.IdentityHashMap<>());
    for (int k = 0; k < w.size(); k++) {
      sent.add(w.batch(k)[0]);
    }
    assertEquals(500, sent.size());
  }

  @Test
  void jsonlInputsByModel(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path f = dir.resolve("in.jsonl");
    java.nio.file.Files.writeString(f, "{\"model\": \"a\", \"input\": [1, 2.5, -3e1]}\n\n"
        + "{\"input\": [[4, 5, 6]]}\n");
    var byModel = Inputs.readJsonl(f, "d");
    assertEquals(2, byModel.size());
    assertEquals(-30f, byModel.get("a").get(0)[2]);
    assertEquals(3, byModel.get("d").get(0).length);
  }

  @Test
  void typedPoolIsDeterministicAndShaped() {
    List<ModelInferRequest> a = pool(24, false);
    List<ModelInferRequest> b = pool(24, false);
    assertEquals(a, b);
    assertEquals(Workload.PER_MODEL, a.size());
    for (int i = 0; i < a.size(); i++) {
      ModelInferRequest r = a.get(i);
      assertEquals("curve_forecaster", r.getModelName());
      assertEquals(Integer.toString(i), r.getId());
      ModelInferRequest.InferInputTensor in = r.getInputs(0);
      assertEquals("curve", in.getName());
      assertEquals("FP32", in.getDatatype());
      assertEquals(List.of(1L, 24L), in.getShapeList());
      assertEquals(24, in.getContents().getFp32ContentsCount());
      assertEquals(0, r.getRawInputContentsCount());
    }
    assertNotEquals(a.get(0).getInputs(0).getContents(), a.get(1).getInputs(0).getContents());
  }

  @Test
  void rawPoolCarriesTheSameValuesLittleEndian() {
    List<ModelInferRequest> typed = pool(7, false);
    List<ModelInferRequest> raw = pool(7, true);
    for (int i = 0; i < raw.size(); i++) {
      ModelInferRequest r = raw.get(i);
      assertEquals(List.of(1L, 7L), r.getInputs(0).getShapeList());
      assertEquals(0, r.getInputs(0).getContents().getFp32ContentsCount());
      ByteBuffer bytes = r.getRawInputContents(0).asReadOnlyByteBuffer()
          .order(ByteOrder.LITTLE_ENDIAN);
      assertEquals(7 * Float.BYTES, bytes.remaining());
      List<Float> expected = typed.get(i).getInputs(0).getContents().getFp32ContentsList();
      for (int j = 0; j < 7; j++) {
        assertEquals(expected.get(j), bytes.getFloat());
      }
    }
  }

  @Test
  void valuesLookLikeCurves() {
    HashSet<Float> seen = new HashSet<>();
    for (ModelInferRequest r : pool(24, false)) {
      for (float v : r.getInputs(0).getContents().getFp32ContentsList()) {
        assertTrue(v >= 45f && v < 75f, "value " + v);
        seen.add(v);
      }
    }
    assertTrue(seen.size() > 1000, "rows should differ, saw " + seen.size() + " distinct values");
  }
}
