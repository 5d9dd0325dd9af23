package io.mlserve.server.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BytesElementsTest {
  @Test
  void encodesTritonRawLayout() {
    byte[] raw = BytesElements.encodeStrings(List.of("ab", "", "é"));
    assertArrayEquals(new byte[] {2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 2, 0, 0, 0,
        (byte) 0xC3, (byte) 0xA9}, raw);
    Tensor t = new Tensor("label", DataType.BYTES, new long[] {3}, raw);
    List<byte[]> back = BytesElements.decode(t);
    assertEquals("é", new String(back.get(2), StandardCharsets.UTF_8));
    assertFalse(DataType.BYTES.isFixedSize());
    assertTrue(DataType.FP32.isFixedSize());
  }

  @Test
  void refusesMalformedData() {
    byte[] ok = BytesElements.encodeStrings(List.of("ab"));
    IllegalArgumentException tooFew = assertThrows(IllegalArgumentException.class,
        () -> new Tensor("x", DataType.BYTES, new long[] {2}, ok));
    assertTrue(tooFew.getMessage().contains("tensor 'x'"), tooFew.getMessage());
    byte[] claimsTooMuch = {9, 0, 0, 0, 'a'};
    assertThrows(IllegalArgumentException.class,
        () -> new Tensor("x", DataType.BYTES, new long[] {1}, claimsTooMuch));
    byte[] trailing = {1, 0, 0, 0, 'a', 7};
    assertThrows(IllegalArgumentException.class,
        () -> new Tensor("x", DataType.BYTES, new long[] {1}, trailing));
    byte[] hugeLength = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 'a'};
    assertThrows(IllegalArgumentException.class,
        () -> new Tensor("x", DataType.BYTES, new long[] {1}, hugeLength));
    assertThrows(UnsupportedOperationException.class, DataType.BYTES::byteSize);
  }

  @Test
  void concatenatesAndSplitsByRows() {
    Tensor a = Tensor.ofStrings("s", new long[] {1, 2}, List.of("a", "bb"));
    Tensor b = Tensor.ofStrings("s", new long[] {2, 2}, List.of("ccc", "", "d", "ee"));
    Tensor batch = Tensors.concat("s", List.of(a, b));
    assertArrayEquals(new long[] {3, 2}, batch.shape());
    Tensor[] parts = Tensors.split(batch, new int[] {1, 2});
    assertArrayEquals(a.data(), parts[0].data());
    assertArrayEquals(b.data(), parts[1].data());
    assertArrayEquals(new long[] {2, 2}, parts[1].shape());
  }
}
