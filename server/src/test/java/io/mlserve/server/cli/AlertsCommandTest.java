package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.alerts.AlertConfig;
import io.mlserve.server.alerts.promql.PrometheusRules;
import io.mlserve.server.testing.Promtool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code mlserve alerts export}: the defaults and a custom rules file (every signal, and/or,
 * parentheses) come out as a rules file Prometheus' {@code promtool check rules} accepts; a bad
 * rules file is refused with exit 2 and its error; the output file is replaced atomically.
 */
class AlertsCommandTest {
  /** A rules file over every signal the grammar knows, with and/or and parentheses. */
  static final String EVERY_SIGNAL = """
      rules:
        - name: SlowAndFailing
          expr: (latency_p50_ms > 50 or latency_p99_ms >= 1000) and error_rate > 0.05
          window: 10m
          for: 1h30m
          severity: critical
          labels: {team: ml, runbook: "https://runbooks.example/slow"}
          annotations: {summary: "{{ $labels.model }}/{{ $labels.version }} at {{ $value }}"}
        - name: Idle
          expr: request_rate < 0.1 or queue_depth == 0
          window: 30s
        - name: Drift
          expr: feature_psi_max > 0.25 or feature_ks_max > 0.3 or prediction_psi_max != 0
        - name: Gpu
          expr: gpu_utilization > 0.95 or gpu_memory_utilization >= 0.9
          annotations: {description: "GPU at {{ $value }}"}
      """;

  @TempDir Path tmp;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int export(String... args) {
    CommandLine cmd = new CommandLine(new AlertsCommand.Export(
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)));
    cmd.setErr(new java.io.PrintWriter(new PrintStream(err, true, StandardCharsets.UTF_8),
        true));
    return cmd.execute(args);
  }

  @Test
  void defaultsToStdout() {
    assertEquals(0, export("--format", "prometheus"), err.toString());
    assertEquals(PrometheusRules.render(AlertConfig.defaults()), out.toString());
  }

  @Test
  void defaultsPassPromtoolCheckRules() throws Exception {
    assertEquals(0, export("--output", tmp.resolve("mlserve-rules.yml").toString()));
    assertTrue(err.toString().contains("4 rules written to"), err.toString());
    String check = Promtool.run("AlertsCommandTest", "promtool check rules", tmp, "check",
        "rules", "mlserve-rules.yml");
    assertTrue(check.contains("SUCCESS: 4 rules found"), check);
  }

  @Test
  void customFilePassesPromtoolCheckRules() throws Exception {
    Path rules = tmp.resolve("custom.yaml");
    Files.writeString(rules, EVERY_SIGNAL);
    Path target = tmp.resolve("out.yml");
    Files.writeString(target, "old");
    assertEquals(0, export("--rules", rules.toString(), "--output", target.toString()),
        err.toString());
    String text = Files.readString(target);
    assertTrue(text.contains("alert: SlowAndFailing") && text.contains("for: 1h30m"), text);
    try (var left = Files.list(tmp)) {
      assertEquals(2, left.count(), "no temporary file left beside the output");
    }
    String check = Promtool.run("AlertsCommandTest", "promtool check rules", tmp, "check",
        "rules", "out.yml");
    assertTrue(check.contains("SUCCESS: 8 rules found"), check);
  }

  @Test
  void badRulesFileExitsTwoWithItsError() throws Exception {
    Path rules = tmp.resolve("bad.yaml");
    Files.writeString(rules, "rules: [{name: X, expr: 'latency > 1'}]\n");
    assertEquals(2, export("--rules", rules.toString()));
    assertEquals("mlserve alerts export: alert rules bad.yaml: rule 'X': expr 'latency > 1'",
        err.toString().substring(0, err.toString().indexOf(" unknown signal")));
    assertEquals("", out.toString());
    assertEquals(2, export("--format", "grafana"));
    assertTrue(err.toString().contains("expected one of [prometheus]"), err.toString());
    assertFalse(err.toString().contains("Exception"), err.toString());
  }

  @Test
  void unwritableOutputExitsOne() {
    assertEquals(1, export("--output", tmp.resolve("no/such/dir/r.yml").toString()));
    assertTrue(err.toString().startsWith("mlserve alerts export: cannot write "),
        err.toString());
  }
}
