package io.mlserve.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.alerts.AlertExpression.Comparison;
import io.mlserve.server.alerts.AlertExpression.Junction;
import io.mlserve.server.alerts.AlertExpression.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The expression grammar: precedence, parentheses, operators, and its errors. */
class AlertExpressionTest {
  @Test
  void andBindsTighterThanOrAndParenthesesOverride() {
    AlertExpression e = AlertExpression.parse("queue_depth > 1 or error_rate>=0.5 and"
        + " request_rate < 3");
    Junction or = (Junction) e.root();
    assertFalse(or.and());
    assertEquals(new Comparison("queue_depth", Op.GT, 1), or.left());
    assertTrue(((Junction) or.right()).and());
    assertEquals("queue_depth > 1 or error_rate >= 0.5 and request_rate < 3", e.toString());

    AlertExpression p = AlertExpression.parse("(queue_depth > 1 or error_rate >= 0.5) and"
        + " request_rate < 3");
    assertTrue(((Junction) p.root()).and());
    assertEquals("(queue_depth > 1 or error_rate >= 0.5) and request_rate < 3", p.toString());
    assertEquals(p.toString(), AlertExpression.parse(p.toString()).toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "latency_p99_ms > 1e3|latency_p99_ms > 1000",
      "error_rate <= .5|error_rate <= 0.5",
      "queue_depth == -2|queue_depth == -2",
      "queue_depth != 0.000001|queue_depth != 0.000001",
      "((drift_share>0.3))|drift_share > 0.3"})
  void operatorsAndNumbers(String text, String canonical) {
    assertEquals(canonical, AlertExpression.parse(text).toString());
  }

  @Test
  void scopeKindFollowsTheSignals() {
    assertTrue(AlertExpression.parse("gpu_utilization > 0.9 or gpu_memory_utilization > 0.9")
        .isProcess());
    assertFalse(AlertExpression.parse("feature_psi_max > 0.2").isProcess());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "latency_p96_ms > 200|unknown signal 'latency_p96_ms' at position 1; known:",
      "latency_p95_ms => 200|expected an operator",
      "latency_p95_ms > |expected a number at position 17",
      "latency_p95_ms > 2x|expected 'and', 'or' or the end at position 19",
      "latency_p95_ms > 200 AND error_rate > 1|found 'AND error_rate > 1'",
      "latency_p95_ms > NaN|expected a number",
      "(latency_p95_ms > 200|expected ')'",
      "latency_p95_ms > 200 and cpu_utilization > 0.8|mixes model signals (latency_p95_ms)"
          + " with process signals (cpu_utilization)",
      "' '|is empty"})
  void errorsSayWhatAndWhere(String text, String message) {
    AlertConfigException e = assertThrows(AlertConfigException.class,
        () -> AlertExpression.parse(text));
    assertTrue(e.getMessage().contains(message), e.getMessage());
    assertFalse(e.getMessage().contains("Exception"), e.getMessage());
  }

  @Test
  void boundedInLengthDepthAndComparisons() {
    assertTrue(assertThrows(AlertConfigException.class, () -> AlertExpression.parse(
        "(".repeat(17) + "error_rate > 1" + ")".repeat(17))).getMessage()
        .contains("deeper than 16"));
    assertTrue(assertThrows(AlertConfigException.class, () -> AlertExpression.parse(
        "error_rate > 1 or ".repeat(16) + "error_rate > 1")).getMessage()
        .contains("17 comparisons"));
    assertTrue(assertThrows(AlertConfigException.class, () -> AlertExpression.parse(
        "error_rate > " + "1".repeat(1000))).getMessage().contains("longer than 1000"));
  }
}
