package io.mlserve.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** A rule, a webhook and a configuration refuse what breaks the format, naming rule and field. */
class AlertRuleTest {
  private static final Duration M5 = Duration.ofMinutes(5);

  private static void refused(String message, Executable make) {
    AlertConfigException e = assertThrows(AlertConfigException.class, make);
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  private static AlertRule rule(Map<String, String> labels, Map<String, String> annotations) {
    return new AlertRule("R", "error_rate > 0.01", M5, M5, "warning", labels, annotations);
  }

  @Test
  void theFourDefaults() {
    List<AlertRule> rules = AlertConfig.defaults().rules();
    assertEquals(List.of("HighLatency", "HighErrorRate", "ResourceExhaustion", "ModelDrift"),
        rules.stream().map(AlertRule::name).toList());
    assertEquals("latency_p95_ms > 200", rules.get(0).expr());
    assertEquals(Duration.ofMinutes(1), rules.get(1).forDuration());
    assertEquals("critical", rules.get(1).severity());
    assertTrue(rules.get(2).isProcess());
    assertEquals(List.of(), AlertConfig.defaults().webhooks());
  }

  @Test
  void badFieldsAreNamed() {
    refused("rule 'R': window must be from 1s to 24h, not negative", () -> new AlertRule("R",
        "error_rate > 0", Duration.ofMinutes(-5), M5, "warning"));
    refused("rule 'R': window must be from 1s to 24h, not 0s", () -> new AlertRule("R",
        "error_rate > 0", Duration.ZERO, M5, "warning"));
    refused("rule 'R': for must be from 0s to 24h, not 1d1h", () -> new AlertRule("R",
        "error_rate > 0", M5, Duration.ofHours(25), "warning"));
    refused("rule 'R': expr 'error_rte > 0' unknown signal", () -> new AlertRule("R",
        "error_rte > 0", M5, M5, "warning"));
    refused("rule 'R': expr is required", () -> new AlertRule("R", null, M5, M5, "warning"));
    refused("rule 'R': severity 'Warn!' is not valid", () -> new AlertRule("R",
        "error_rate > 0", M5, M5, "Warn!"));
    refused("rule name 'High Latency' is not valid", () -> new AlertRule("High Latency",
        "error_rate > 0", M5, M5, "warning"));
  }

  @Test
  void labelsAndAnnotationsAreChecked() {
    refused("labels.severity: set by the evaluator; use the rule's severity field",
        () -> rule(Map.of("severity", "page"), Map.of()));
    refused("labels.model: set by the evaluator", () -> rule(Map.of("model", "x"), Map.of()));
    refused("labels: name '__x' is not valid", () -> rule(Map.of("__x", "1"), Map.of()));
    refused("labels.team: labels are not templated",
        () -> rule(Map.of("team", "{{ $value }}"), Map.of()));
    refused("labels.team: longer than 256",
        () -> rule(Map.of("team", "x".repeat(257)), Map.of()));
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 33; i++) {
      many.put("l" + i, "v");
    }
    refused("labels: 33 entries; at most 32", () -> rule(many, Map.of()));
    refused("annotations.summary: template '{{ $value | humanize }}' is not supported",
        () -> rule(Map.of(), Map.of("summary", "{{ $value | humanize }}")));
    refused("annotations.summary: '{{' without a closing '}}'",
        () -> rule(Map.of(), Map.of("summary", "{{ $value")));
    refused("rule 'P': annotations.summary: {{ $labels.model }} has no value in a rule over"
        + " process signals", () -> new AlertRule("P", "cpu_utilization > 0.8", M5, M5,
            "warning", Map.of(), Map.of("summary", "{{ $labels.model }}")));
  }

  @Test
  void webhooksAndDuplicates() {
    refused("scheme must be http or https", () -> WebhookConfig.of(URI.create("ftp://h/x")));
    refused("scheme must be http or https", () -> WebhookConfig.of(URI.create("/relative")));
    refused("max_attempts must be from 1 to 10, not 0", () -> new WebhookConfig(
        URI.create("http://127.0.0.1:9/hook"), 0, Duration.ofSeconds(1)));
    refused("timeout must be from 100ms to 60s, not 2m", () -> new WebhookConfig(
        URI.create("http://127.0.0.1:9/hook"), 3, Duration.ofMinutes(2)));
    refused("'https://***@example.com/x': max_attempts", () -> new WebhookConfig(
        URI.create("https://user:secret@example.com/x"), 11, Duration.ofSeconds(1)));
    AlertRule r = AlertConfig.defaults().rules().get(0);
    refused("rule 'HighLatency' is defined twice",
        () -> new AlertConfig(List.of(r, r), List.of()));
  }
}
