package io.mlserve.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rules files in YAML and JSON: merging with the defaults, and every refusal's message. */
class AlertConfigFilesTest {
  private static final String YAML = """
      rules:
        - name: HighLatency
          expr: latency_p95_ms > 150
          window: 10m
          for: 2m
          severity: critical
          labels: {team: ml}
          annotations:
            summary: "p95 {{ $value }} ms on {{ $labels.model }}"
        - name: DeepQueue
          expr: queue_depth >= 100
      webhooks:
        - url: http://127.0.0.1:9093/hook
          max_attempts: 3
          timeout: 2s
      """;

  @TempDir Path tmp;

  private Path write(String name, String text) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private String refusal(String name, String text) throws Exception {
    Path p = write(name, text);
    AlertConfigException e = assertThrows(AlertConfigException.class,
        () -> AlertConfigFiles.load(p));
    assertFalse(e.getMessage().contains("Exception") || e.getMessage().contains("java.")
        || e.getMessage().contains(tmp.toString()), e.getMessage());
    return e.getMessage();
  }

  @Test
  void yamlReplacesAndAddsRulesAfterTheDefaults() throws Exception {
    AlertConfig c = AlertConfigFiles.load(write("rules.yaml", YAML));
    assertEquals(List.of("HighLatency", "HighErrorRate", "ResourceExhaustion", "ModelDrift",
        "DeepQueue"), c.rules().stream().map(AlertRule::name).toList());
    AlertRule hl = c.rules().get(0);
    assertEquals(new AlertRule("HighLatency", "latency_p95_ms > 150", Duration.ofMinutes(10),
        Duration.ofMinutes(2), "critical", Map.of("team", "ml"),
        Map.of("summary", "p95 {{ $value }} ms on {{ $labels.model }}")), hl);
    AlertRule dq = c.rules().get(4);
    assertEquals(Duration.ofMinutes(5), dq.window());
    assertEquals(Duration.ZERO, dq.forDuration());
    assertEquals("warning", dq.severity());
    assertEquals(List.of(new WebhookConfig(URI.create("http://127.0.0.1:9093/hook"), 3,
        Duration.ofSeconds(2))), c.webhooks());
  }

  @Test
  void jsonByExtensionOrSniffedAndDefaultsOff() throws Exception {
    String json = """
        {"defaults": false, "rules": [{"name": "Cpu", "expr": "cpu_utilization > 0.9",
         "for": "1h30m"}], "webhooks": [{"url": "https://hooks.example/x"}]}""";
    for (String name : new String[] {"rules.json", "rules.conf"}) {
      AlertConfig c = AlertConfigFiles.load(write(name, json));
      assertEquals(1, c.rules().size());
      assertEquals(Duration.ofMinutes(90), c.rules().get(0).forDuration());
      assertEquals(WebhookConfig.of(URI.create("https://hooks.example/x")),
          c.webhooks().get(0));
    }
    assertEquals(AlertConfig.defaults(),
        AlertConfigFiles.load(write("only-defaults.yml", "defaults: true\n")));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "rules: [{name: X, expr: 'latency_p95 > 1', window: -5m}]|rule 'X': expr 'latency_p95 > 1'"
          + " unknown signal 'latency_p95'",
      "rules: [{name: X, expr: 'error_rate => 1'}]|rule 'X': expr 'error_rate => 1' expected an"
          + " operator",
      "rules: [{name: X, expr: 'error_rate > 1', window: -5m}]|rule 'X': window: '-5m' is not a"
          + " duration",
      "rules: [{name: X, expr: 'error_rate > 1', for: soon}]|rule 'X': for: 'soon' is not a"
          + " duration",
      "rules: [{name: X, expr: 'error_rate > 1', window: 0s}]|rule 'X': window must be from 1s"
          + " to 24h",
      "rules: [{name: X, expr: 'error_rate > 1'}, {name: X, expr: 'error_rate > 2'}]|rule 'X'"
          + " is defined twice",
      "rules: [{name: X, expr: 'error_rate > 1', sevrity: page}]|rule 'X': unknown key"
          + " 'sevrity' in the rule; allowed: annotations, expr, for, labels, name, severity,"
          + " window",
      "rules: [{name: X}]|rule 'X': expr is required",
      "rules: [{expr: 'error_rate > 1'}]|rules[0]: name is required",
      "rules: [{name: X, expr: 'error_rate > 1', labels: {a: [1]}}]|rule 'X': labels.a must be"
          + " a string",
      "rules: {name: X}|rules must be a list",
      "rule: []|unknown key 'rule' in the top level; allowed: defaults, rules, webhooks",
      "defaults: yes please|defaults must be true or false",
      "webhooks: [{url: 'file:///etc/passwd'}]|webhooks[0]: webhook url 'file:///etc/passwd':"
          + " the scheme must be http or https",
      "webhooks: [{url: 'http://h/x', max_attempts: 2.5}]|webhooks[0]: max_attempts must be a"
          + " whole number",
      "webhooks: [{url: 'http://h/x', timeout: 10m}]|timeout must be from 100ms to 60s",
      "webhooks: [{uri: 'http://h/x'}]|webhooks[0]: unknown key 'uri'",
      "rules: [{name: X, expr: 'error_rate > 1', for: 1m, for: 2m}]|not valid YAML (line 1:"
          + " Duplicate field 'for'",
      "'rules: [oops'|not valid YAML (line",
      "'- just a list'|must be a mapping",
      "''|is empty"})
  void refusalsNameTheRuleAndTheField(String yaml, String message) throws Exception {
    String m = refusal("rules.yaml", yaml);
    assertTrue(m.startsWith("alert rules rules.yaml: "), m);
    assertTrue(m.contains(message), m);
  }

  @Test
  void boundedInSizeAndRuleCount() throws Exception {
    assertTrue(refusal("big.yaml", "# " + "x".repeat(AlertConfigFiles.MAX_BYTES))
        .contains("larger than 1 MiB"));
    StringBuilder many = new StringBuilder("defaults: false\nrules:\n");
    for (int i = 0; i < 501; i++) {
      many.append("  - {name: R").append(i).append(", expr: 'error_rate > 1'}\n");
    }
    assertTrue(refusal("many.yaml", many.toString()).contains("501 rules; at most 500"));
    StringBuilder fits = new StringBuilder("defaults: true\nrules:\n");
    for (int i = 0; i < 497; i++) {
      fits.append("  - {name: R").append(i).append(", expr: 'error_rate > 1'}\n");
    }
    assertTrue(refusal("plus-defaults.yaml", fits.toString())
        .contains("501 rules; at most 500"));
    assertEquals("alert rules missing.yaml: no such file", assertThrows(
        AlertConfigException.class, () -> AlertConfigFiles.load(tmp.resolve("missing.yaml")))
        .getMessage());
    assertEquals("alert rules " + tmp.getFileName() + ": is a directory", assertThrows(
        AlertConfigException.class, () -> AlertConfigFiles.load(tmp)).getMessage());
  }

  @Test
  void aSecondDocumentIsRefusedNotIgnored() throws Exception {
    String m = refusal("two.yaml", "rules: []\n---\ndefaults: false\n");
    assertTrue(m.startsWith("alert rules two.yaml: not valid YAML (line"), m);
    m = refusal("two.json", "{\"rules\": []} {\"defaults\": false}");
    assertTrue(m.startsWith("alert rules two.json: not valid JSON (line 1"), m);
  }

  @Test
  void badJsonSaysWhere() throws Exception {
    String m = refusal("r.json", "{\"rules\": [\n  {\"name\": \"X\",}\n]}");
    assertTrue(m.startsWith("alert rules r.json: not valid JSON (line 2"), m);
  }
}
