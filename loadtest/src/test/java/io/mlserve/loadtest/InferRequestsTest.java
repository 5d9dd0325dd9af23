package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.proto.inference.ModelInferRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class InferRequestsTest {
  private static RunSpec spec(int features, boolean raw) {
    return new RunSpec("localhost:8500", "curve_forecaster", 4, 1, Duration.ofSeconds(1),
        Duration.ZERO, features, "curve", raw, Duration.ofSeconds(1));
  }

  @Test
  void typedPoolIsDeterministicAndShaped() {
    List<ModelInferRequest> a = InferRequests.pool(spec(24, false));
    List<ModelInferRequest> b = InferRequests.pool(spec(24, false));
    assertEquals(a, b);
    assertEquals(InferRequests.POOL_SIZE, a.size());
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
    List<ModelInferRequest> typed = InferRequests.pool(spec(7, false));
    List<ModelInferRequest> raw = InferRequests.pool(spec(7, true));
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
    for (ModelInferRequest r : InferRequests.pool(spec(24, false))) {
      for (float v : r.getInputs(0).getContents().getFp32ContentsList()) {
        assertTrue(v >= 45f && v < 75f, "value " + v);
        seen.add(v);
      }
    }
    assertTrue(seen.size() > 1000, "rows should differ, saw " + seen.size() + " distinct values");
  }
}
