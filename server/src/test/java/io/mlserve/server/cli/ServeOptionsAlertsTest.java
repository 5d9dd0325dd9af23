package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mlserve.server.alerts.AlertConfig;
import io.mlserve.server.alerts.WebhookConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The alert flags: the rules file, webhooks, the interval, --no-alerts. */
class ServeOptionsAlertsTest {
  @TempDir Path tmp;

  private static ServeOptions parse(String... args) {
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs(args);
    return command.options;
  }

  @Test
  void withoutFlagsTheBuiltInRulesRunEveryFifteenSeconds() {
    ServeOptions o = parse();
    assertEquals(List.of(), o.problems());
    assertEquals(AlertConfig.defaults(), o.alertConfig());
    assertEquals(Duration.ofSeconds(15), o.alertInterval());
  }

  @Test
  void theFilesRulesAndWebhooksComeWithTheFlagsWebhooks() throws Exception {
    Path rules = tmp.resolve("rules.yaml");
    Files.writeString(rules, "defaults: false\nrules:\n  - name: Slow\n"
        + "    expr: latency_p99_ms > 500\nwebhooks:\n  - url: http://hooks.example/a\n");
    ServeOptions o = parse("--alert-rules", rules.toString(), "--alert-webhook",
        "https://hooks.example/b", "--alert-interval", "30s");
    assertEquals(List.of(), o.problems());
    assertEquals(List.of("Slow"), o.alertConfig().rules().stream().map(r -> r.name()).toList());
    assertEquals(List.of("http://hooks.example/a", "https://hooks.example/b"),
        o.alertConfig().webhooks().stream().map(w -> w.url().toString()).toList());
    assertEquals(WebhookConfig.DEFAULT_MAX_ATTEMPTS, o.alertConfig().webhooks().get(1)
        .maxAttempts());
    assertEquals(Duration.ofSeconds(30), o.alertInterval());
  }

  @Test
  void aBadRulesFileIsRefusedWithItsMessage() throws Exception {
    Path rules = tmp.resolve("rules.yaml");
    Files.writeString(rules, "rules:\n  - name: Slow\n    expr: latency_p95 > 500\n");
    List<String> problems = parse("--alert-rules", rules.toString()).problems();
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("--alert-rules: ")
        && problems.get(0).contains("rules.yaml") && problems.get(0).contains("Slow")
        && problems.get(0).contains("latency_p95"), problems.get(0));
    List<String> missing = parse("--alert-rules", tmp.resolve("absent.yaml").toString())
        .problems();
    assertTrue(missing.get(0).contains("absent.yaml"), missing.toString());
  }

  @Test
  void badWebhooksAndIntervalsAreNamed() {
    List<String> problems = parse("--alert-webhook", "ftp://hooks.example/x",
        "--alert-interval", "500ms").problems();
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("--alert-interval must be between"
        + " 1s and 1h, got 500ms")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("--alert-webhook: ")
        && p.contains("http or https")), problems.toString());
    assertTrue(parse("--alert-interval", "soon").problems().get(0)
        .contains("'soon' is not a duration"));
  }

  @Test
  void theHelpTextFormatsWithoutWarnings() {
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    String usage;
    try {
      System.setErr(new java.io.PrintStream(captured, true,
          java.nio.charset.StandardCharsets.UTF_8));
      usage = new CommandLine(new ServeCommand()).getUsageMessage();
    } finally {
      System.setErr(err);
    }
    assertEquals("", captured.toString(java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(usage.contains("80%") && !usage.contains("%%"), usage);
  }

  @Test
  void noAlertsTurnsThemOffAndIgnoresTheirFlags() {
    ServeOptions o = parse("--no-alerts", "--alert-interval", "never");
    assertEquals(List.of(), o.problems());
    assertNull(o.alertConfig());
  }
}
