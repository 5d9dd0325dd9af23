package io.mlserve.server.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TensorsTest {
  @Test
  void concatThenSplitRoundTrips() {
    Tensor a = Tensor.ofFloats("x", new long[] {1, 2}, new float[] {1, 2});
    Tensor b = Tensor.ofFloats("x", new long[] {3, 2}, new float[] {3, 4, 5, 6, 7, 8});
    Tensor c = Tensors.concat("x", List.of(a, b));
    assertArrayEquals(new long[] {4, 2}, c.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, c.toFloats());
    Tensor[] parts = Tensors.split(c, new int[] {1, 3});
    assertArrayEquals(a.toFloats(), parts[0].toFloats());
    assertArrayEquals(b.toFloats(), parts[1].toFloats());
    assertArrayEquals(new long[] {3, 2}, parts[1].shape());
  }

  @Test
  void concatRefusesMismatchedTrailingDims() {
    Tensor a = Tensor.ofFloats("x", new long[] {1, 2}, new float[] {1, 2});
    Tensor b = Tensor.ofFloats("x", new long[] {1, 3}, new float[] {1, 2, 3});
    assertThrows(IllegalArgumentException.class, () -> Tensors.concat("x", List.of(a, b)));
  }

  @Test
  void splitRefusesRowsThatDoNotAddUp() {
    Tensor t = Tensor.ofFloats("y", new long[] {2, 1}, new float[] {1, 2});
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Tensors.split(t, new int[] {1, 2}));
    assertTrue(e.getMessage().contains("2 rows"), e.getMessage());
  }

  @Test
  void tensorChecksByteLength() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Tensor("x", DataType.FP32, new long[] {2, 3}, new byte[23]));
    assertTrue(e.getMessage().contains("24 bytes"), e.getMessage());
  }

  @Test
  void dataTypeParseNamesTheBadValue() {
    assertEquals(DataType.FP32, DataType.parse("fp32"));
    assertEquals(DataType.BYTES, DataType.parse("bytes"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DataType.parse("STRING"));
    assertTrue(e.getMessage().contains("STRING") && e.getMessage().contains("FP32")
        && e.getMessage().contains("BYTES"), e.getMessage());
  }

  @Test
  void zerosAreEmptyStringsForBytes() {
    Tensor z = Tensors.zeros("s", DataType.BYTES, new long[] {2, 3});
    assertEquals(24, z.data().length);
    assertEquals(java.util.Collections.nCopies(6, ""), BytesElements.decode(z).stream()
        .map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8)).toList());
    assertEquals(12, Tensors.zeros("f", DataType.FP16, new long[] {2, 3}).data().length);
    assertEquals(4, Tensors.zeroElementBytes(DataType.BYTES));
    assertEquals(8, Tensors.zeroElementBytes(DataType.INT64));
  }
}
