package io.mlserve.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mlserve.server.drift.DriftConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DriftOptionsTest {
  private static ServeOptions parse(String... args) {
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs(args);
    return command.options;
  }

  @Test
  void theDefaultsAreDriftConfigDefaults() {
    assertEquals(DriftConfig.defaults(), parse().drift.config());
  }

  @Test
  void flagsSetTheConfig() {
    DriftConfig c = parse("--drift-interval", "500ms", "--drift-sample-every", "10",
        "--drift-window-rows", "2000", "--drift-rows-per-request", "2",
        "--drift-reference-rows", "500", "--drift-min-rows", "50", "--drift-psi-threshold",
        "0.1", "--drift-top-k", "3").drift.config();
    assertEquals(Duration.ofMillis(500), c.interval());
    assertEquals(10, c.sampleEvery());
    assertEquals(2000, c.windowRows());
    assertEquals(2, c.rowsPerRequest());
    assertEquals(500, c.referenceRows());
    assertEquals(50, c.minRows());
    assertEquals(0.1, c.psiThreshold());
    assertEquals(3, c.topK());
    assertEquals(Duration.ofMinutes(2), parse("--drift-interval", "2m").drift.config().interval());
    assertEquals(Duration.ofSeconds(45), parse("--drift-interval", "45").drift.config()
        .interval());
  }

  @Test
  void noDriftTurnsSamplingOff() {
    assertFalse(parse("--no-drift").drift.config().enabled());
    assertFalse(parse("--drift-sample-every", "0").drift.config().enabled());
  }

  @Test
  void badValuesAreNamed() {
    assertEquals(List.of("--drift-interval must be a number with ms, s, m or h (e.g. 30s), got"
        + " '5x'"), parse("--drift-interval", "5x").problems());
    assertEquals(List.of("--drift-interval must be between 100ms and 1 day, got 50 ms"),
        parse("--drift-interval", "50ms").problems());
    assertEquals(List.of("--drift-sample-every must be between 0 and 1000000, got -1"),
        parse("--drift-sample-every", "-1").problems());
    assertEquals(List.of("--drift-min-rows must be between 2 and 1000, got 1001"),
        parse("--drift-min-rows", "1001").problems());
    assertEquals(List.of("--drift-psi-threshold must be above 0 and at most 100, got 0.0"),
        parse("--drift-psi-threshold", "0").problems());
  }
}
