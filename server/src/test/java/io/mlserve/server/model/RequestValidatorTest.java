package io.mlserve.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.core.InferenceException;
import io.mlserve.server.tensor.DataType;
import io.mlserve.server.tensor.Tensor;
import io.mlserve.store.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {
  private final RequestValidator twoInputs = new RequestValidator("m:1", List.of(
      new TensorSpec("a", "FP32", List.of(-1L, 2L)),
      new TensorSpec("b", "INT64", List.of(-1L))));

  private static Tensor a(int rows) {
    return Tensor.ofFloats("a", new long[] {rows, 2}, new float[rows * 2]);
  }

  private static Tensor b(int rows) {
    return new Tensor("b", DataType.INT64, new long[] {rows}, new byte[rows * 8]);
  }

  private String refusal(List<Tensor> inputs) {
    InferenceException e =
        assertThrows(InferenceException.class, () -> twoInputs.validate(inputs));
    assertEquals(InferenceException.Kind.INVALID_ARGUMENT, e.kind());
    return e.getMessage();
  }

  @Test
  void bytesInputsAreCheckedByTypeAndShapeLikeOthers() {
    RequestValidator v = new RequestValidator("m:1", List.of(
        new TensorSpec("text", "BYTES", List.of(-1L, 2L)),
        new TensorSpec("n", "FP32", List.of(-1L))));
    assertTrue(v.batchable());
    Tensor text = Tensor.ofStrings("text", new long[] {2, 2}, List.of("a", "", "ccc", "é"));
    Tensor n = Tensor.ofFloats("n", new long[] {2}, new float[] {1, 2});
    assertSame(text, v.validate(List.of(n, text))[0]);
    InferenceException shape = assertThrows(InferenceException.class, () -> v.validate(List.of(
        Tensor.ofStrings("text", new long[] {1, 3}, List.of("a", "b", "c")), n)));
    assertEquals("input 'text': expected shape [-1, 2] (-1: any size), got [1, 3]",
        shape.getMessage());
    InferenceException rows = assertThrows(InferenceException.class,
        () -> v.validate(List.of(text, Tensor.ofFloats("n", new long[] {3}, new float[3]))));
    assertTrue(rows.getMessage().startsWith("inputs disagree on the batch dimension"),
        rows.getMessage());
    InferenceException type = assertThrows(InferenceException.class, () -> v.validate(List.of(
        Tensor.ofFloats("text", new long[] {2, 2}, new float[4]), n)));
    assertEquals("input 'text': expected datatype BYTES, got FP32", type.getMessage());
  }

  @Test
  void ordersInputsBySignature() {
    Tensor ta = a(3);
    Tensor tb = b(3);
    Tensor[] ordered = twoInputs.validate(List.of(tb, ta));
    assertSame(ta, ordered[0]);
    assertSame(tb, ordered[1]);
    assertTrue(twoInputs.batchable());
  }

  @Test
  void refusalsNameTheProblem() {
    assertTrue(refusal(List.of(a(1))).contains("takes 2 input"));
    assertTrue(refusal(List.of(a(1), a(1).renamed("c"))).contains("unknown input 'c'"));
    assertTrue(refusal(List.of(a(2), b(3))).contains("batch dimension"));
    String m = refusal(List.of(a(1).renamed("b"), b(1).renamed("a")));
    assertTrue(m.contains("expected datatype"), m);
    m = refusal(List.of(Tensor.ofFloats("a", new long[] {1, 3}, new float[3]), b(1)));
    assertTrue(m.contains("[-1, 2]") && m.contains("[1, 3]"), m);
    assertTrue(refusal(List.of(a(1), a(1))).contains("twice"));
  }

  @Test
  void fixedLeadingDimIsNotBatchable() {
    RequestValidator v =
        new RequestValidator("m:1", List.of(new TensorSpec("x", "FP32", List.of(1L, 4L))));
    assertFalse(v.batchable());
    v.validate(List.of(Tensor.ofFloats("x", new long[] {1, 4}, new float[4])));
  }
}
