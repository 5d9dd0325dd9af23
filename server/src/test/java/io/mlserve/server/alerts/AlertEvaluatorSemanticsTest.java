package io.mlserve.server.alerts;

import static io.mlserve.server.alerts.AlertEvaluatorTest.T0;
import static io.mlserve.server.alerts.AlertEvaluatorTest.V1;
import static io.mlserve.server.alerts.AlertEvaluatorTest.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The state machine's edges: for 0, and/or, empty signals, scopes that leave, the bound. */
class AlertEvaluatorSemanticsTest {
  private static final Scope V2 = new Scope("curve_forecaster", "2.0.0");
  private static final Scope OTHER = new Scope("other", "0.1.0");

  private final ManualClock clock = new ManualClock(T0);

  private AlertEvaluator evaluator(String expr, Duration forDuration) {
    return new AlertEvaluator(List.of(new AlertRule("R", expr, Duration.ofMinutes(5),
        forDuration, "warning", Map.of("team", "ml"), Map.of("v", "{{ $value }}"))), clock);
  }

  @Test
  void forZeroFiresAtTheFirstEvaluationThatHolds() {
    AlertEvaluator ev = evaluator("error_rate > 0.01", Duration.ZERO);
    AlertTransition t = only(ev.evaluate(Set.of(V1),
        new TableSignals().set(SignalNames.ERROR_RATE, V1, 0.02)));
    assertEquals(AlertState.INACTIVE, t.from());
    assertEquals(AlertState.FIRING, t.to());
    assertEquals(Map.of("v", "0.02"), t.annotations());
    assertEquals("ml", t.labels().get("team"));
  }

  @Test
  void andNeedsBothAndTakesTheLeftValue() {
    AlertEvaluator ev = evaluator("latency_p95_ms > 200 and error_rate > 0.01", Duration.ZERO);
    TableSignals s = new TableSignals().set(SignalNames.LATENCY_P95_MS, V1, 300);
    assertEquals(List.of(), ev.evaluate(Set.of(V1), s), "right side has no value");
    s.set(SignalNames.ERROR_RATE, V1, 0.001);
    assertEquals(List.of(), ev.evaluate(Set.of(V1), s), "right side false");
    s.set(SignalNames.ERROR_RATE, V1, 0.5);
    AlertTransition t = only(ev.evaluate(Set.of(V1), s));
    assertEquals(300, t.value());
    assertEquals(200, t.threshold());
  }

  @Test
  void orTakesTheFirstThatHolds() {
    AlertEvaluator ev = evaluator("latency_p95_ms > 200 or error_rate > 0.01", Duration.ZERO);
    TableSignals s = new TableSignals().set(SignalNames.ERROR_RATE, V1, 0.5);
    AlertTransition t = only(ev.evaluate(Set.of(V1), s));
    assertEquals(0.5, t.value());
    assertEquals(0.01, t.threshold());
    s.set(SignalNames.LATENCY_P95_MS, V1, 250).set(SignalNames.ERROR_RATE, V1, 0);
    assertEquals(List.of(), ev.evaluate(Set.of(V1), s), "still true: no transition");
    assertEquals(250, ev.active().get(0).value(), "the listing shows the current value");
  }

  @Test
  void andBindsTighterThanOr() {
    // a or (b and c): a alone is enough.
    AlertEvaluator ev = evaluator("queue_depth > 10 or latency_p95_ms > 200 and error_rate > 0.01",
        Duration.ZERO);
    TableSignals s = new TableSignals().set(SignalNames.QUEUE_DEPTH, V1, 11);
    assertEquals(1, ev.evaluate(Set.of(V1), s).size());
    // (a or b) and c: needs c.
    AlertEvaluator ev2 = evaluator("(queue_depth > 10 or latency_p95_ms > 200) and"
        + " error_rate > 0.01", Duration.ZERO);
    assertEquals(List.of(), ev2.evaluate(Set.of(V1), s));
  }

  @Test
  void emptyAndNanSignalsAreFalse() {
    AlertEvaluator ev = evaluator("error_rate < 0.5", Duration.ZERO);
    assertEquals(List.of(), ev.evaluate(Set.of(V1), new TableSignals()));
    assertEquals(List.of(), ev.evaluate(Set.of(V1),
        new TableSignals().set(SignalNames.ERROR_RATE, V1, Double.NaN)));
  }

  @Test
  void pendingThatEndsBeforeForGoesInactiveAndStartsAfresh() {
    AlertEvaluator ev = evaluator("error_rate > 0.01", Duration.ofMinutes(1));
    TableSignals s = new TableSignals().set(SignalNames.ERROR_RATE, V1, 0.02);
    assertEquals(AlertState.PENDING, only(ev.evaluate(Set.of(V1), s)).to());
    clock.advance(Duration.ofSeconds(50));
    s.set(SignalNames.ERROR_RATE, V1, 0.0);
    AlertTransition off = only(ev.evaluate(Set.of(V1), s));
    assertEquals(AlertState.PENDING, off.from());
    assertEquals(AlertState.INACTIVE, off.to());
    assertEquals(0.0, off.value());
    clock.advance(Duration.ofSeconds(10));
    s.set(SignalNames.ERROR_RATE, V1, 0.02);
    AlertTransition again = only(ev.evaluate(Set.of(V1), s));
    assertEquals(T0.plusSeconds(60).toEpochMilli(), again.activeSinceMillis());
    clock.advance(Duration.ofSeconds(59));
    assertEquals(List.of(), ev.evaluate(Set.of(V1), s), "for counts from the new start");
    clock.advance(Duration.ofSeconds(1));
    assertEquals(AlertState.FIRING, only(ev.evaluate(Set.of(V1), s)).to());
  }

  @Test
  void aScopeThatLeavesResolvesItsFiringAlertAndDropsItsPendingOne() {
    AlertEvaluator ev = evaluator("error_rate > 0.01", Duration.ofMinutes(1));
    TableSignals s = new TableSignals().set(SignalNames.ERROR_RATE, V1, 0.02);
    ev.evaluate(Set.of(V1), s);
    clock.advance(Duration.ofMinutes(1));
    assertEquals(AlertState.FIRING, only(ev.evaluate(Set.of(V1), s)).to());
    s.set(SignalNames.ERROR_RATE, V2, 0.03);
    assertEquals(AlertState.PENDING, only(ev.evaluate(Set.of(V1, V2), s)).to());

    clock.advance(Duration.ofSeconds(10));
    AlertTransition gone = only(ev.evaluate(Set.of(OTHER), s));
    assertEquals(V1, gone.scope());
    assertEquals(AlertState.FIRING, gone.from());
    assertEquals(AlertState.RESOLVED, gone.to());
    assertTrue(Double.isNaN(gone.value()));
    assertEquals(0.01, gone.threshold());
    assertEquals(List.of(), ev.active(), "the pending V2 alert is dropped silently");
    assertEquals(List.of(), ev.evaluate(Set.of(OTHER), s));
  }

  @Test
  void processRulesRunForTheProcessWhateverTheScopes() {
    AlertEvaluator ev = evaluator("cpu_utilization > 0.8", Duration.ZERO);
    AlertTransition t = only(ev.evaluate(List.of(),
        new TableSignals().set(SignalNames.CPU_UTILIZATION, Scope.PROCESS, 0.9)));
    assertEquals(Scope.PROCESS, t.scope());
    assertEquals(Map.of("alertname", "R", "severity", "warning", "team", "ml"), t.labels());
  }

  @Test
  void beyondTheBoundNewAlertsWaitForRoom() {
    AlertEvaluator ev = new AlertEvaluator(List.of(new AlertRule("R", "error_rate > 0.01",
        Duration.ofMinutes(5), Duration.ZERO, "warning")), clock, 2);
    Scope v3 = new Scope("curve_forecaster", "3.0.0");
    TableSignals s = new TableSignals().set(SignalNames.ERROR_RATE, V1, 0.5)
        .set(SignalNames.ERROR_RATE, V2, 0.5).set(SignalNames.ERROR_RATE, v3, 0.5);
    List<AlertTransition> first = ev.evaluate(Set.of(V1, V2, v3), s);
    assertEquals(List.of(V1, V2), first.stream().map(AlertTransition::scope).toList());
    assertEquals(1, ev.untracked());
    s.set(SignalNames.ERROR_RATE, V1, 0);
    List<AlertTransition> next = ev.evaluate(Set.of(V1, V2, v3), s);
    assertEquals(AlertState.RESOLVED, next.get(0).to());
    assertEquals(1, ev.untracked(), "room freed by V1 before v3 was evaluated");
    assertEquals(v3, next.get(1).scope());
    assertEquals(AlertState.FIRING, next.get(1).to());
  }
}
