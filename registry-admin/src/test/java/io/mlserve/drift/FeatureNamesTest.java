package io.mlserve.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.store.Signature;
import io.mlserve.store.TensorSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureNamesTest {
  private static TensorSpec t(String name, Long... shape) {
    return new TensorSpec(name, "FP32", List.of(shape));
  }

  @Test
  void oneValueARowIsNamedAsTheTensorAndSeveralPerFlatElement() {
    Signature s = new Signature(List.of(t("price", -1L), t("curve", -1L, 3L), t("w", -1L, 1L)),
        List.of(t("grid", -1L, 2L, 2L)));
    assertEquals(List.of("price", "curve[0]", "curve[1]", "curve[2]", "w"),
        FeatureNames.inputs(s));
    assertEquals(List.of("grid[0]", "grid[1]", "grid[2]", "grid[3]"), FeatureNames.outputs(s));
  }

  @Test
  void aShapeWithoutRowDimensionsHoldsOneValue() {
    assertEquals(List.of("x"), FeatureNames.of(List.of(t("x")), "input"));
  }

  @Test
  void aVariableRowDimensionIsRefusedWithTheShape() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FeatureNames.of(List.of(t("tokens", -1L, -1L)), "input"));
    assertEquals("input 'tokens' has shape [-1, -1]: a drift profile needs every dimension but"
        + " the first (the batch) fixed", e.getMessage());
  }

  @Test
  void tooManyFeaturesAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FeatureNames.of(List.of(t("image", -1L, 3L, 224L, 224L)), "input"));
    assertTrue(e.getMessage().contains("at most 4096 features"), e.getMessage());
    IllegalArgumentException sum = assertThrows(IllegalArgumentException.class,
        () -> FeatureNames.of(List.of(t("a", -1L, 4000L), t("b", -1L, 100L)), "output"));
    assertTrue(sum.getMessage().startsWith("the outputs hold more than 4096"), sum.getMessage());
  }

  @Test
  void bytesTensorsHaveNoFeatures() {
    Signature s = new Signature(
        List.of(new TensorSpec("text", "BYTES", List.of(-1L, -1L)), t("price", -1L)),
        List.of(new TensorSpec("label", "BYTES", List.of(-1L)), t("p", -1L, 2L)));
    assertEquals(List.of("price"), FeatureNames.inputs(s));
    assertEquals(List.of("p[0]", "p[1]"), FeatureNames.outputs(s));
    assertEquals(List.of("p"), FeatureNames.profiled(s.outputs()).stream()
        .map(TensorSpec::name).toList());
  }
}
