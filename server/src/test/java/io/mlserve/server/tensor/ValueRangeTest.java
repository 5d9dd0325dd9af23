package io.mlserve.server.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.server.json.JsonTensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ValueRangeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void integerRangesAreExactAtBothEnds() {
    assertTrue(ValueRange.fitsInteger(DataType.INT8, -128));
    assertTrue(ValueRange.fitsInteger(DataType.INT8, 127));
    assertFalse(ValueRange.fitsInteger(DataType.INT8, 128));
    assertFalse(ValueRange.fitsInteger(DataType.UINT8, -1));
    assertTrue(ValueRange.fitsInteger(DataType.UINT32, 4294967295.0));
    assertFalse(ValueRange.fitsInteger(DataType.UINT32, 4294967296.0));
    assertFalse(ValueRange.fitsInteger(DataType.INT64, 0x1p63));
    assertFalse(ValueRange.fitsInteger(DataType.INT16, Double.NaN));
    assertEquals("INT8 holds -128 to 127", ValueRange.describe(DataType.INT8));
    assertEquals("UINT16 holds 0 to 65535", ValueRange.describe(DataType.UINT16));
  }

  @Test
  void positionsFollowTheShape() {
    assertEquals("[1][6]", ValueRange.position(new long[] {2, 24}, 30));
    assertEquals("[7]", ValueRange.position(new long[] {24}, 7));
    assertEquals("[0]", ValueRange.position(new long[0], 0));
  }

  private static String refusal(DataType type, String json) {
    return assertThrows(IllegalArgumentException.class, () ->
        JsonTensors.fromNested("x", type, JSON.readTree(json))).getMessage();
  }

  @Test
  void jsonValuesOutsideTheirTypeAreRefusedByPosition() {
    assertEquals("tensor 'x': value 1.0E39 at [1][0] is out of range (FP32 holds finite values"
        + " up to ±3.4028235e38)", refusal(DataType.FP32, "[[1,2],[1e39,3]]"));
    assertTrue(refusal(DataType.FP32, "[3.5e38]").contains("at [0]"));
    assertTrue(refusal(DataType.FP64, "[1, 1e400]").contains("at [1]"));
    assertTrue(refusal(DataType.FP16, "[65520]").contains("FP16"));
    assertTrue(refusal(DataType.INT8, "[1, 300]").contains("value 300 at [1]"));
    assertTrue(refusal(DataType.UINT8, "[-1]").contains("UINT8 holds 0 to 255"));
    assertTrue(refusal(DataType.INT32, "[2147483648]").contains("INT32"));
    assertTrue(refusal(DataType.INT64, "[9223372036854775808]").contains("INT64"));
    assertTrue(refusal(DataType.UINT64, "[18446744073709551616]").contains("UINT64"));
    assertTrue(refusal(DataType.UINT64, "[-1]").contains("UINT64"));
  }

  @Test
  void jsonValuesAtTheEdgesOfTheirTypeAreKept() throws Exception {
    Tensor f = JsonTensors.fromNested("x", DataType.FP32, JSON.readTree("[3.4028235e38, 65504]"));
    assertEquals(Float.MAX_VALUE, f.toFloats()[0]);
    Tensor h = JsonTensors.fromNested("x", DataType.FP16, JSON.readTree("[65504, -65504]"));
    assertEquals(-65504.0, Tensors.elementAsDouble(h, 1));
    Tensor u = JsonTensors.fromNested("x", DataType.UINT64,
        JSON.readTree("[18446744073709551615, 9223372036854775807]"));
    ByteBuffer b = ByteBuffer.wrap(u.data()).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(-1L, b.getLong(0));
    assertEquals(Long.MAX_VALUE, b.getLong(8));
    Tensor i8 = JsonTensors.fromNested("x", DataType.INT8, JSON.readTree("[-128, 127]"));
    assertEquals(-128.0, Tensors.elementAsDouble(i8, 0));
  }

  @Test
  void aShapeLargerThanTheDataIsRefusedBeforeAnythingIsAllocated() throws Exception {
    // 2^28 FP64 elements would be 2 GiB; the one value given is counted first
    String m = assertThrows(IllegalArgumentException.class, () -> JsonTensors.fromFlat("x",
        DataType.FP64, new long[] {1 << 28}, JSON.readTree("[1]"))).getMessage();
    assertTrue(m.contains("is too large") || m.contains("needs"), m);
    m = assertThrows(IllegalArgumentException.class, () -> JsonTensors.fromFlat("x",
        DataType.FP32, new long[] {1 << 27}, JSON.readTree("[1]"))).getMessage();
    assertEquals("tensor 'x': shape [134217728] needs 134217728 values, got 1", m);
    m = assertThrows(IllegalArgumentException.class, () -> JsonTensors.fromFlat("x",
        DataType.FP32, new long[] {768614336404564651L, 24}, JSON.readTree("[1]"))).getMessage();
    assertEquals("tensor 'x': shape [768614336404564651, 24] is too large", m);
  }

  @Test
  void finiteValuesFindsTheFirstNaNOrInfinity() {
    assertEquals(-1, FiniteValues.firstNonFinite(
        Tensor.ofFloats("x", new long[] {3}, new float[] {1, Float.MAX_VALUE, -0f})));
    assertEquals(2, FiniteValues.firstNonFinite(Tensor.ofFloats("x", new long[] {4},
        new float[] {1, 2, Float.NaN, Float.POSITIVE_INFINITY})));
    ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
        .putDouble(Double.MAX_VALUE).putDouble(Double.NEGATIVE_INFINITY);
    assertEquals(1, FiniteValues.firstNonFinite(
        new Tensor("d", DataType.FP64, new long[] {2}, d.array())));
    ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
        .putShort(Half.fromFloat(65504f)).putShort((short) 0x7E00);
    assertEquals(1, FiniteValues.firstNonFinite(
        new Tensor("h", DataType.FP16, new long[] {2}, h.array())));
    assertEquals(-1, FiniteValues.firstNonFinite(
        new Tensor("i", DataType.INT32, new long[] {1}, new byte[] {-1, -1, -128, 127})));
  }
}
