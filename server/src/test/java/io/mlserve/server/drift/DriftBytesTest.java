package io.mlserve.server.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BYTES tensors are not features: drift samples the numeric tensors beside them. */
class DriftBytesTest {
  /** A classifier: a string id and two numbers in; a string label and a score out. */
  private static final Signature CLASSIFIER = new Signature(
      List.of(new TensorSpec("id", "BYTES", List.of(-1L)),
          new TensorSpec("x", "FP32", List.of(-1L, 2L))),
      List.of(new TensorSpec("label", "BYTES", List.of(-1L)),
          new TensorSpec("score", "FP64", List.of(-1L))));

  @Test
  void theLayoutLeavesBytesTensorsOut() {
    RowLayout layout = RowLayout.of(CLASSIFIER);
    assertEquals(List.of("x"), layout.inputs());
    assertEquals(List.of("x[0]", "x[1]"), layout.inputFeatures());
    assertEquals(List.of("score"), layout.outputs());
    assertEquals(List.of("score"), layout.outputFeatures());
    IllegalArgumentException onlyStrings = assertThrows(IllegalArgumentException.class,
        () -> RowLayout.of(new Signature(List.of(new TensorSpec("text", "BYTES", List.of(-1L))),
            List.of(new TensorSpec("y", "FP32", List.of(-1L))))));
    assertEquals("the version's inputs are all BYTES (strings), which drift profiles do not "
        + "cover", onlyStrings.getMessage());
  }

  @Test
  void requestsWithStringsAreSampledByTheirNumbers() {
    DriftSampler s = new DriftSampler(RowLayout.of(CLASSIFIER), DriftSamplerTest.config(10, 4, 10));
    Tensor id = Tensor.ofStrings("id", new long[] {2}, List.of("a", "bcd"));
    Tensor x = Tensor.ofFloats("x", new long[] {2, 2}, new float[] {1, 2, 3, 4});
    Tensor label = Tensor.ofStrings("label", new long[] {2}, List.of("yes", "no"));
    ByteBuffer score = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
        .putDouble(0.5).putDouble(0.25);
    s.offer(List.of(id, x), new Tensor[] {label,
        new Tensor("score", DataType.FP64, new long[] {2}, score.array())});
    assertEquals(2, s.sampledRows());
    float[] rows = new float[s.capacity() * 3];
    assertEquals(2, s.read(rows));
    float[] first = {rows[0], rows[1], rows[2]};
    float[] second = {rows[3], rows[4], rows[5]};
    // the window holds rows in slot order, which the two rows fill in request order
    assertArrayEquals(new float[] {1, 2, 0.5f}, first);
    assertArrayEquals(new float[] {3, 4, 0.25f}, second);
  }

  @Test
  void aBytesTensorWhereNumbersAreDeclaredIsCountedNotThrown() {
    DriftSampler s = new DriftSampler(RowLayout.of(DriftSamplerTest.CURVE),
        DriftSamplerTest.config(10, 4, 10));
    Tensor strings = Tensor.ofStrings("curve", new long[] {1, 24},
        java.util.Collections.nCopies(24, "z"));
    s.offer(List.of(strings), new Tensor[] {strings.renamed("forecast")});
    assertEquals(0, s.sampledRows());
  }
}
