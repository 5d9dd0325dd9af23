package io.mlserve.server.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfTest {
  @Test
  void knownValuesRoundTrip() {
    assertEquals((short) 0x3C00, Half.fromFloat(1.0f));
    assertEquals((short) 0xC000, Half.fromFloat(-2.0f));
    assertEquals((short) 0x7BFF, Half.fromFloat(65504f));
    assertEquals((short) 0x7C00, Half.fromFloat(1e6f));
    assertEquals((short) 0x0001, Half.fromFloat(0x1p-24f));
    assertEquals(0.333251953125f, Half.toFloat(Half.fromFloat(1f / 3)));
    assertEquals(0x1p-24f, Half.toFloat((short) 0x0001));
    assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN))));
  }

  @Test
  void everyHalfSurvivesAFloatRoundTrip() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Half.toFloat((short) h);
      if (Float.isNaN(f)) {
        continue;
      }
      assertEquals((short) h, Half.fromFloat(f), "half bits " + Integer.toHexString(h));
    }
  }
}
