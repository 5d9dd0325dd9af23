package io.mlserve.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Policy documents: what is accepted, what it means, and the message for each broken rule. */
class PolicyJsonTest {
  private static String refused(String json) {
    return assertThrows(PolicyException.class, () -> PolicyJson.parse(json)).getMessage();
  }

  @Test
  void aFullPolicyReadsAndWritesBackTheSame() {
    Policy p = PolicyJson.parse("""
        {"mode": "hybrid", "datasets": ["holdout", "recent"],
         "gates": [{"metric": "rmse", "max_ratio": 1.0},
                   {"metric": "p95_ms", "max": 120},
                   {"metric": "cost", "direction": "lower_is_better", "max_increase": 0.5}],
         "veto_window": "2h", "four_eyes": true}""");
    assertEquals(ApprovalMode.HYBRID, p.mode());
    assertEquals(List.of("holdout", "recent"), p.datasets());
    assertEquals(Direction.LOWER_IS_BETTER, p.gate("rmse").direction()); // from the table
    assertEquals(1.0, p.gate("rmse").bounds().get(Bound.MAX_RATIO));
    assertEquals(Duration.ofHours(2), p.vetoWindow());
    assertTrue(p.fourEyes());
    assertEquals(Policy.OnPass.PROMOTE, p.onPass());
    Policy again = PolicyJson.parse(PolicyJson.toJson(p));
    assertEquals(PolicyJson.toJson(p), PolicyJson.toJson(again));
  }

  @Test
  void customMetricsAreDeclaredCheckedAndWrittenBack() {
    Policy p = PolicyJson.parse("""
        {"mode": "automatic", "datasets": ["h"],
         "metrics": [{"name": "cost", "expression": "pred > label ? 3 * (pred - label) : label - pred"}],
         "gates": [{"metric": "cost", "direction": "lower_is_better", "max_ratio": 1.0}]}""");
    assertEquals("cost", p.metrics().get(0).name());
    assertEquals(PolicyJson.toJson(p), PolicyJson.toJson(PolicyJson.parse(PolicyJson.toJson(p))));
    PolicyException bad = assertThrows(PolicyException.class, () -> PolicyJson.parse("""
        {"mode": "manual", "datasets": ["h"],
         "metrics": [{"name": "cost", "expression": "pred +"}]}"""));
    assertTrue(bad.getMessage().startsWith("metrics: 'cost': "), bad.getMessage());
    bad = assertThrows(PolicyException.class, () -> PolicyJson.parse("""
        {"mode": "manual", "datasets": ["h"], "metrics": [{"name": "Cost", "expression": "1"}]}"""));
    assertTrue(bad.getMessage().startsWith("metrics[0]: custom metric name 'Cost' is not valid"),
        bad.getMessage());
  }

  @Test
  void hybridWithoutAWindowWaitsAnHourAndOtherModesHaveNone() {
    assertEquals(Duration.ofHours(1), PolicyJson.parse("""
        {"mode": "hybrid", "datasets": ["h"], "gates": [{"metric": "r2", "min": 0.8}]}""")
        .vetoWindow());
    assertNull(PolicyJson.parse("{\"mode\": \"manual\", \"datasets\": [\"h\"]}").vetoWindow());
  }

  @Test
  void rolloutOnPassTakesTheRolloutSettings() {
    Policy p = PolicyJson.parse("""
        {"mode": "automatic", "datasets": ["h"], "gates": [{"metric": "mae", "max": 1}],
         "on_pass": "rollout", "rollout": {"steps": [10, 100], "bake": "5m",
         "max_error_rate": 0.02}}""");
    assertEquals(Policy.OnPass.ROLLOUT, p.onPass());
    assertEquals(List.of(10.0, 100.0), p.rollout().steps());
    assertEquals(Duration.ofMinutes(5), p.rollout().bake());
    assertEquals(0.02, p.rollout().thresholds().maxErrorRate());
  }

  @Test
  void eachBrokenRuleIsNamed() {
    assertEquals("the policy: unknown field 'gate'; allowed: datasets, four_eyes, gates,"
        + " metrics, mode, on_pass, rollout, veto_window",
        refused("{\"mode\": \"manual\", \"datasets\": [\"h\"], \"gate\": []}"));
    assertEquals("mode 'auto' is not one of automatic, manual, hybrid",
        refused("{\"mode\": \"auto\", \"datasets\": [\"h\"]}"));
    assertEquals("mode is required", refused("{\"datasets\": [\"h\"]}"));
    assertEquals("datasets: name at least one evaluation dataset",
        refused("{\"mode\": \"manual\", \"datasets\": []}"));
    assertEquals("gate rmse: no bound; give at least one of max, min, max_ratio, min_ratio,"
        + " max_increase, max_decrease", refused("""
        {"mode": "automatic", "datasets": ["h"], "gates": [{"metric": "rmse"}]}"""));
    assertEquals("gate cost: 'direction' is required for a metric without a known direction"
        + " (lower_is_better or higher_is_better)", refused("""
        {"mode": "automatic", "datasets": ["h"], "gates": [{"metric": "cost", "max": 3}]}"""));
    assertEquals("gate rmse: min_ratio does not bound a regression of a lower_is_better metric;"
        + " use max_ratio or max_increase", refused("""
        {"mode": "automatic", "datasets": ["h"], "gates": [{"metric": "rmse",
         "min_ratio": 0.9}]}"""));
    assertEquals("gate r2: max_ratio must be above 0, got -1.0", refused("""
        {"mode": "automatic", "datasets": ["h"], "gates": [{"metric": "r2",
         "max_ratio": -1}]}"""));
    assertEquals("gates[0]: unknown field 'maximum'; allowed: direction, max, max_decrease,"
        + " max_increase, max_ratio, metric, min, min_ratio", refused("""
        {"mode": "automatic", "datasets": ["h"], "gates": [{"metric": "r2", "maximum": 1}]}"""));
    assertEquals("veto_window 30s is out of range: from 1m to 7d", refused("""
        {"mode": "hybrid", "datasets": ["h"], "gates": [{"metric": "r2", "min": 0.5}],
         "veto_window": "30s"}"""));
    assertEquals("veto_window '1 hour' is not a duration (a whole number and a unit: ms, s, m,"
        + " h or d, e.g. 1h)", refused("""
        {"mode": "hybrid", "datasets": ["h"], "gates": [{"metric": "r2", "min": 0.5}],
         "veto_window": "1 hour"}"""));
    assertEquals("veto_window only applies in hybrid mode (this policy is manual)",
        refused("{\"mode\": \"manual\", \"datasets\": [\"h\"], \"veto_window\": \"1h\"}"));
    assertEquals("gates: automatic mode decides by the gates; give at least one",
        refused("{\"mode\": \"automatic\", \"datasets\": [\"h\"]}"));
    assertEquals("gates: two gates on rmse; put its bounds in one gate", refused("""
        {"mode": "automatic", "datasets": ["h"], "gates": [{"metric": "rmse", "max": 1},
         {"metric": "rmse", "max_ratio": 1}]}"""));
    assertEquals("rollout: bake 100 ms is not from 1 s to 24 h", refused("""
        {"mode": "automatic", "datasets": ["h"], "gates": [{"metric": "rmse", "max": 1}],
         "on_pass": "rollout", "rollout": {"bake": "100ms"}}"""));
    assertEquals("on_pass 'rollout' only applies in automatic and hybrid modes (a manual"
        + " approval never promotes by itself)", refused("""
        {"mode": "manual", "datasets": ["h"], "on_pass": "rollout"}"""));
    assertTrue(refused("{\"mode\": \"manual\", \"mode\": \"hybrid\", \"datasets\": [\"h\"]}")
        .startsWith("the policy is not valid JSON: Duplicate field 'mode'"));
    assertEquals("four_eyes must be true or false", refused("""
        {"mode": "manual", "datasets": ["h"], "four_eyes": "yes"}"""));
  }
}
