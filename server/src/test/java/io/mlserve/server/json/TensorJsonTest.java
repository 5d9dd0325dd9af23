package io.mlserve.server.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlserve.server.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TensorJsonTest {
  @Test
  void fp32RowsMixFastAndGeneralTextAndReadBackExactly() throws Exception {
    float[] values = {0f, -0f, 1e-5f, -1.17549435E-38f, 59.504234f, -3.4028235e38f, Float.MIN_VALUE,
        0.001f, 9999999f, 1e7f, -2.75f, 1.4E-45f};
    Tensor t = Tensor.ofFloats("y", new long[] {2, 6}, values);
    String json = new String(Json.write(g -> TensorJson.writeNested(g, t, false)),
        StandardCharsets.UTF_8);
    JsonNode rows = new ObjectMapper().readTree(json);
    assertEquals(2, rows.size());
    for (int i = 0; i < values.length; i++) {
      JsonNode v = rows.get(i / 6).get(i % 6);
      assertEquals(Float.floatToIntBits(values[i]), Float.floatToIntBits(Float.parseFloat(v.asText())),
          "element " + i + " written as " + v);
    }
  }

  @Test
  void aRowWithNaNKeepsTheGeneratorsRules() throws Exception {
    Tensor t = Tensor.ofFloats("y", new long[] {1, 3}, new float[] {1.5f, Float.NaN, 2f});
    String json = new String(Json.write(g -> TensorJson.writeNested(g, t, true)),
        StandardCharsets.UTF_8);
    assertEquals("[1.5,\"NaN\",2.0]", json);
  }
}
