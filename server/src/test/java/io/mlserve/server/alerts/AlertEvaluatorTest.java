package io.mlserve.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seed's four rules on a fake clock: each goes pending, then firing exactly when its
 * {@code for} has passed, then resolved, then is forgotten; a value at or just under each
 * threshold never fires.
 */
class AlertEvaluatorTest {
  static final Scope V1 = new Scope("curve_forecaster", "1.0.0");
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static Stream<Arguments> builtIns() {
    return Stream.of(
        Arguments.of("HighLatency", SignalNames.LATENCY_P95_MS, 200.0, 250.0, V1, 1, "warning"),
        Arguments.of("HighErrorRate", SignalNames.ERROR_RATE, 0.01, 0.05, V1, 1, "critical"),
        Arguments.of("ResourceExhaustion", SignalNames.CPU_UTILIZATION, 0.8, 0.95,
            Scope.PROCESS, 5, "warning"),
        Arguments.of("ResourceExhaustion", SignalNames.MEMORY_UTILIZATION, 0.8, 0.9,
            Scope.PROCESS, 5, "warning"),
        Arguments.of("ModelDrift", SignalNames.DRIFT_SHARE, 0.3, 0.5, V1, 5, "warning"),
        Arguments.of("ModelDrift", SignalNames.PERFORMANCE_DRIFT, 0.2, 0.35, V1, 5, "warning"));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("builtIns")
  void builtInRuleGoesPendingFiringResolved(String rule, String signal, double threshold,
      double high, Scope scope, int forMinutes, String severity) {
    ManualClock clock = new ManualClock(T0);
    AlertEvaluator ev = new AlertEvaluator(AlertConfig.defaults().rules(), clock);
    TableSignals signals = new TableSignals().set(signal, scope, high);

    AlertTransition pending = only(ev.evaluate(Set.of(V1), signals));
    assertEquals(rule, pending.rule());
    assertEquals(AlertState.INACTIVE, pending.from());
    assertEquals(AlertState.PENDING, pending.to());
    assertEquals(scope, pending.scope());
    assertEquals(high, pending.value());
    assertEquals(threshold, pending.threshold());
    assertEquals(T0.toEpochMilli(), pending.activeSinceMillis());
    assertEquals(1, ev.active().size());

    clock.advance(Duration.ofMinutes(forMinutes).minusMillis(1));
    assertEquals(List.of(), ev.evaluate(Set.of(V1), signals), "fired before its for");
    assertEquals(AlertState.PENDING, ev.active().get(0).to());

    clock.advance(Duration.ofMillis(1));
    AlertTransition firing = only(ev.evaluate(Set.of(V1), signals));
    assertEquals(AlertState.PENDING, firing.from());
    assertEquals(AlertState.FIRING, firing.to());
    assertEquals(T0.toEpochMilli(), firing.activeSinceMillis());
    assertEquals(T0.plus(Duration.ofMinutes(forMinutes)).toEpochMilli(), firing.atMillis());
    assertEquals(severity, firing.severity());
    Map<String, String> labels = scope.isProcess()
        ? Map.of("alertname", rule, "severity", severity)
        : Map.of("alertname", rule, "severity", severity, "model", "curve_forecaster",
            "version", "1.0.0");
    assertEquals(labels, firing.labels());
    String text = firing.annotations().get("summary") + firing.annotations().get("description");
    assertTrue(!text.contains("{{"), "templates left unfilled: " + text);
    assertTrue(firing.annotations().get("description").contains(
        AlertTemplates.goFloat(high)), "no value in " + firing.annotations());
    if (!scope.isProcess()) {
      assertTrue(firing.annotations().get("summary").contains("curve_forecaster 1.0.0"),
          firing.annotations().get("summary"));
    }

    clock.advance(Duration.ofMinutes(10));
    assertEquals(List.of(), ev.evaluate(Set.of(V1), signals), "a firing alert stays quiet");
    signals.set(signal, scope, threshold);
    clock.advance(Duration.ofSeconds(15));
    AlertTransition resolved = only(ev.evaluate(Set.of(V1), signals));
    assertEquals(AlertState.FIRING, resolved.from());
    assertEquals(AlertState.RESOLVED, resolved.to());
    AlertExpression.Comparison first = AlertConfig.defaults().rules().stream()
        .filter(r -> r.name().equals(rule)).findFirst().orElseThrow().expression()
        .comparisons().get(0);
    assertEquals(first.threshold(), resolved.threshold(), "on resolve: the rule's first one");
    assertEquals(first.signal().equals(signal) ? threshold : Double.NaN, resolved.value(),
        "the first comparison's current value (NaN: that signal has none)");
    assertEquals(T0.toEpochMilli(), resolved.activeSinceMillis());
    assertEquals(List.of(), ev.active());

    clock.advance(Duration.ofSeconds(15));
    assertEquals(List.of(), ev.evaluate(Set.of(V1), signals), "a resolved alert is forgotten");
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("builtIns")
  void builtInRuleNeverFiresAtOrJustUnderItsThreshold(String rule, String signal,
      double threshold, double high, Scope scope) {
    ManualClock clock = new ManualClock(T0);
    AlertEvaluator ev = new AlertEvaluator(AlertConfig.defaults().rules(), clock);
    for (double v : new double[] {threshold, Math.nextDown(threshold), threshold * 0.99}) {
      TableSignals signals = new TableSignals().set(signal, scope, v);
      for (int i = 0; i < 30; i++) {
        assertEquals(List.of(), ev.evaluate(Set.of(V1), signals), rule + " at " + v);
        clock.advance(Duration.ofSeconds(30));
      }
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("builtIns")
  void builtInRuleReadsItsWindow(String rule, String signal, double threshold, double high,
      Scope scope) {
    TableSignals signals = new TableSignals();
    new AlertEvaluator(AlertConfig.defaults().rules(), new ManualClock(T0))
        .evaluate(Set.of(V1), signals);
    assertEquals(Duration.ofMinutes(5), signals.windowAsked(signal, scope));
  }

  static AlertTransition only(List<AlertTransition> ts) {
    assertEquals(1, ts.size(), () -> "expected one transition: " + ts);
    return ts.get(0);
  }
}
