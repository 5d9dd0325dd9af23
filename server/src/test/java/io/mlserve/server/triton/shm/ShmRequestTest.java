package io.mlserve.server.triton.shm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShmRequestTest {
  private final ShmFiles files = new ShmFiles();
  private final SharedMemoryRegistry registry = new SharedMemoryRegistry(true, 4, 1 << 20);

  @AfterEach
  void cleanUp() throws Exception {
    registry.close();
    files.close();
  }

  private static String refused(Runnable r) {
    return assertThrows(InferenceException.class, r::run).getMessage();
  }

  @Test
  void inputsMustMatchShapeTimesDatatypeAndStayInTheRegion() throws Exception {
    registry.register("r", files.create(128), 0, 100);
    try (ShmRequest req = new ShmRequest(registry)) {
      String m = refused(() -> req.input("x", DataType.FP32, new long[] {2, 3},
          new ShmRef("r", 0, 20)));
      assertTrue(m.contains("input 'x'") && m.contains("needs 24 bytes") && m.contains("is 20"),
          m);
      m = refused(() -> req.input("x", DataType.FP32, new long[] {2, 3},
          new ShmRef("r", 80, 24)));
      assertTrue(m.contains("past the end of region 'r' (100 bytes)"), m);
      m = refused(() -> req.input("x", DataType.FP32, new long[] {1},
          new ShmRef("r", Long.MAX_VALUE, 4)));
      assertTrue(m.contains("past the end"), m);
      m = refused(() -> req.input("x", DataType.FP32, new long[] {1},
          new ShmRef("nope", 0, 4)));
      assertTrue(m.contains("input 'x'") && m.contains("'nope' is not registered"), m);
      assertEquals(24, req.input("x", DataType.FP32, new long[] {2, 3},
          new ShmRef("r", 76, 24)).data().length);
    }
  }

  @Test
  void outputsMustFitTheirSlot() throws Exception {
    registry.register("r", files.create(64), 0, 64);
    try (ShmRequest req = new ShmRequest(registry)) {
      String m = refused(() -> req.bindOutput("y", new ShmRef("r", 60, 8)));
      assertTrue(m.contains("output 'y'") && m.contains("past the end"), m);
      req.bindOutput("y", new ShmRef("r", 8, 4));
      m = refused(() -> req.writeOutput("y",
          Tensor.ofFloats("y", new long[] {2}, new float[] {1, 2})));
      assertTrue(m.contains("output 'y' has 8 bytes") && m.contains("of 4"), m);
      req.writeOutput("y", Tensor.ofFloats("y", new long[] {1}, new float[] {1.5f}));
      Tensor back = req.input("z", DataType.FP32, new long[] {1}, new ShmRef("r", 8, 4));
      assertArrayEquals(new float[] {1.5f}, back.toFloats());
    }
  }

  @Test
  void parametersGoTogether() {
    assertNull(ShmRef.of("input 'x'", null, null, null));
    assertTrue(assertThrows(InferenceException.class,
        () -> ShmRef.of("input 'x'", "r", null, null)).getMessage().contains("go together"));
    assertTrue(assertThrows(InferenceException.class,
        () -> ShmRef.of("input 'x'", null, 0L, 8L)).getMessage().contains("go together"));
    assertTrue(assertThrows(InferenceException.class,
        () -> ShmRef.of("input 'x'", "r", -1L, 8L)).getMessage().contains("negative"));
    assertEquals(new ShmRef("r", 0, 8), ShmRef.of("input 'x'", "r", null, 8L));
  }
}
