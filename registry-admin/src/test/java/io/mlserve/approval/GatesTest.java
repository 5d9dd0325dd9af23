package io.mlserve.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gates' verdict against hand-computed numbers. */
class GatesTest {
  private static Gate gate(String metric, Bound b, double v) {
    return new Gate(metric, null, Map.of(b, v));
  }

  @Test
  void aRatioGateComparesWithTheBaseline() {
    List<Gate> gates = List.of(gate("rmse", Bound.MAX_RATIO, 1.0));
    // 0.40 / 0.50 = 0.8 <= 1.0: passes
    GateReport ok = Gates.evaluate(gates, Map.of("rmse", 0.40), Map.of("rmse", 0.50));
    assertEquals(Verdict.PASSED, ok.verdict());
    GateResult r = ok.results().get(0);
    assertEquals(0.8, r.ratio(), 1e-12);
    assertEquals(-0.1, r.delta(), 1e-12);
    assertEquals("rmse <= 1 x baseline", r.bound());
    // 0.55 / 0.50 = 1.1 > 1.0: fails, with the numbers
    GateReport bad = Gates.evaluate(gates, Map.of("rmse", 0.55), Map.of("rmse", 0.50));
    assertEquals(Verdict.FAILED, bad.verdict());
    assertEquals("rmse 0.55 vs baseline 0.5 (ratio 1.1) breaks rmse <= 1 x baseline",
        bad.failures());
    // equal is within the bound
    assertEquals(Verdict.PASSED, Gates.evaluate(gates, Map.of("rmse", 0.5),
        Map.of("rmse", 0.5)).verdict());
  }

  @Test
  void absoluteAndChangeBounds() {
    Gate latency = gate("p95_ms", Bound.MAX, 120);
    Gate r2 = new Gate("r2", null, Map.of(Bound.MIN, 0.8, Bound.MAX_DECREASE, 0.02));
    // r2 0.85 vs 0.88: decrease 0.03 > 0.02 fails; 0.85 >= 0.8 passes; p95 119.5 <= 120
    GateReport rep = Gates.evaluate(List.of(latency, r2),
        Map.of("p95_ms", 119.5, "r2", 0.85), Map.of("p95_ms", 80.0, "r2", 0.88));
    assertEquals(Verdict.FAILED, rep.verdict());
    assertEquals(3, rep.results().size());
    assertEquals(GateResult.Status.PASSED, rep.results().get(0).status());
    assertNull(rep.results().get(0).baseline()); // absolute: no baseline shown
    assertEquals(GateResult.Status.PASSED, rep.results().get(1).status()); // r2 >= 0.8
    GateResult dec = rep.results().get(2);
    assertEquals(GateResult.Status.FAILED, dec.status());
    assertEquals(-0.03, dec.delta(), 1e-12);
    assertEquals("r2 0.85 vs baseline 0.88 (change -0.03) breaks r2 >= baseline - 0.02",
        dec.reason());
    Gate cost = new Gate("cost", Direction.LOWER_IS_BETTER, Map.of(Bound.MAX_INCREASE, 0.5));
    assertEquals(Verdict.PASSED, Gates.evaluate(List.of(cost), Map.of("cost", 10.5),
        Map.of("cost", 10.0)).verdict()); // +0.5 <= 0.5
    assertEquals(Verdict.FAILED, Gates.evaluate(List.of(cost), Map.of("cost", 10.75),
        Map.of("cost", 10.0)).verdict()); // +0.75 > 0.5
  }

  @Test
  void aMissingMetricFailsItsGateNamingIt() {
    GateReport rep = Gates.evaluate(List.of(gate("f1_macro", Bound.MIN, 0.7)),
        Map.of("accuracy", 0.9), Map.of());
    assertEquals(Verdict.FAILED, rep.verdict());
    assertEquals("f1_macro >= 0.7: the evaluation has no f1_macro", rep.failures());
    GateReport nan = Gates.evaluate(List.of(gate("rmse", Bound.MAX, 1)),
        Map.of("rmse", Double.NaN), null);
    assertEquals(Verdict.FAILED, nan.verdict());
    GateReport noBaselineValue = Gates.evaluate(List.of(gate("rmse", Bound.MAX_RATIO, 1)),
        Map.of("rmse", 0.4), Map.of("mae", 0.3));
    assertEquals("rmse <= 1 x baseline: the baseline's evaluation has no rmse",
        noBaselineValue.failures());
  }

  @Test
  void withNoBaselineRelativeBoundsAreSkippedAndAbsoluteOnesApply() {
    Gate rmse = new Gate("rmse", null, Map.of(Bound.MAX, 0.6, Bound.MAX_RATIO, 1.0));
    GateReport first = Gates.evaluate(List.of(rmse), Map.of("rmse", 0.5), null);
    assertEquals(Verdict.PASSED, first.verdict());
    assertEquals(GateResult.Status.PASSED, first.results().get(0).status());
    assertEquals(GateResult.Status.SKIPPED, first.results().get(1).status());
    assertEquals("rmse <= 1 x baseline: skipped, no Production baseline to compare with"
        + " (first version)", first.results().get(1).reason());
    assertEquals(Verdict.FAILED, Gates.evaluate(List.of(rmse), Map.of("rmse", 0.7), null)
        .verdict());
  }
}
