package io.mlserve.server.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.server.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class NestedArrayTest {
  private static NestedArray read(String json) throws IOException {
    try (JsonParser p = Json.FACTORY.createParser(json)) {
      p.nextToken();
      return NestedArray.read(p, "input", 1000);
    }
  }

  private static Tensor tensor(String json, DataType type) throws IOException {
    NestedArray a = read(json);
    return a.toTensor("x", type, a.shape());
  }

  private static String refusal(String json, DataType type) {
    InferenceException e = assertThrows(InferenceException.class, () -> tensor(json, type));
    assertEquals(InferenceException.Kind.INVALID_ARGUMENT, e.kind());
    return e.getMessage();
  }

  @Test
  void numbersBeyondTheTypeAreRefusedByPosition() {
    assertEquals("field 'input': input 'x': value 1.0E39 at [1][2] is out of range (FP32 holds"
        + " finite values up to ±3.4028235e38)", refusal("[[1,2,3],[4,5,1e39]]", DataType.FP32));
    assertTrue(refusal("[3.5e38]", DataType.FP32).contains("value 3.5E38 at [0]"));
    assertTrue(refusal("[-3.5e38]", DataType.FP32).contains("-3.5E38"));
    assertTrue(refusal("[70000]", DataType.FP16).contains("value 70000 at [0]"));
    assertTrue(refusal("[1, 300]", DataType.INT8).contains("value 300 at [1] is out of range "
        + "(INT8 holds -128 to 127)"));
    assertTrue(refusal("[-1]", DataType.UINT8).contains("UINT8"));
    assertTrue(refusal("[65536]", DataType.UINT16).contains("UINT16"));
    assertTrue(refusal("[-32769]", DataType.INT16).contains("INT16"));
    assertTrue(refusal("[4294967296]", DataType.UINT32).contains("UINT32"));
    assertTrue(refusal("[2147483648]", DataType.INT32).contains("INT32"));
    assertTrue(refusal("[1e19]", DataType.INT64).contains("fractional")); // float token
    assertTrue(refusal("[10000000000000000000]", DataType.INT64).contains("INT64"));
    assertTrue(refusal("[-1]", DataType.UINT64).contains("UINT64"));
  }

  @Test
  void numbersThatOverflowEveryTypeAreRefusedWhileReading() {
    for (String big : new String[] {"1e400", "-1e400", "1" + "0".repeat(400), "1e99999999"}) {
      InferenceException e =
          assertThrows(InferenceException.class, () -> read("[[0,1],[2," + big + "]]"));
      assertTrue(e.getMessage().startsWith("field 'input': value "), e.getMessage());
      assertTrue(e.getMessage().contains(" at [1][1] is out of range"), e.getMessage());
    }
  }

  @Test
  void valuesAtTheEdgesOfEachTypeAreKept() throws IOException {
    assertEquals(Float.MAX_VALUE, tensor("[3.4028235e38]", DataType.FP32).toFloats()[0]);
    assertEquals(-Float.MAX_VALUE, tensor("[-3.4028235e38]", DataType.FP32).toFloats()[0]);
    assertEquals(1e300, Tensors.elementAsDouble(tensor("[1e300]", DataType.FP64), 0));
    assertEquals(65504.0, Tensors.elementAsDouble(tensor("[65504]", DataType.FP16), 0));
    assertEquals(-128.0, Tensors.elementAsDouble(tensor("[-128, 127]", DataType.INT8), 0));
    assertEquals(255.0, Tensors.elementAsDouble(tensor("[255]", DataType.UINT8), 0));
    assertEquals(4294967295.0,
        Tensors.elementAsDouble(tensor("[4294967295]", DataType.UINT32), 0));
    ByteBuffer u64 = ByteBuffer.wrap(tensor("[18446744073709549568, 3]", DataType.UINT64).data())
        .order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("18446744073709549568", Long.toUnsignedString(u64.getLong(0)));
    assertEquals(3, u64.getLong(8));
  }
}
