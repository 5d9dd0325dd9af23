package io.mlserve.server.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TensorValuesTest {
  /** FP32 rows are copied bit for bit from any element offset: NaN, -0, infinities, subnormals. */
  @Test
  void fp32CopyIsBitExactFromAnyOffset() {
    float[] values = {1.5f, -0.0f, Float.NaN, Float.intBitsToFloat(0x7fa00001),
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -3.25e-38f,
        Float.MAX_VALUE, 42f};
    Tensor t = Tensor.ofFloats("x", new long[] {values.length}, values);
    for (int from = 0; from < values.length; from++) {
      int count = values.length - from;
      float[] dest = new float[count + 3];
      TensorValues.copy(t, from, count, dest, 2);
      for (int i = 0; i < count; i++) {
        assertEquals(Float.floatToRawIntBits(values[from + i]),
            Float.floatToRawIntBits(dest[2 + i]), "element " + (from + i));
        assertEquals(Float.floatToRawIntBits(TensorValues.read(t.data(), DataType.FP32,
            (from + i) * Float.BYTES)), Float.floatToRawIntBits(dest[2 + i]));
      }
      assertEquals(0f, dest[0]);
      assertEquals(0f, dest[count + 2]);
    }
  }

  /** Other types still go through the per-element conversion (INT32 here). */
  @Test
  void otherTypesAreConverted() {
    byte[] d = {1, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    Tensor t = new Tensor("x", DataType.INT32, new long[] {2}, d);
    float[] dest = new float[2];
    TensorValues.copy(t, 0, 2, dest, 0);
    assertEquals(1f, dest[0]);
    assertEquals(-1f, dest[1]);
  }
}
