package io.mlserve.server.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Templates filled as Prometheus fills them; durations in Prometheus' syntax. */
class AlertTemplatesTest {
  @ParameterizedTest
  @CsvSource({"0.25,0.25", "250,250", "0.0001,0.0001", "0.00001,1e-05", "123456,123456",
      "1234567,1.234567e+06", "1000000,1e+06", "-0.5,-0.5", "0.1,0.1", "1.5E-7,1.5e-07"})
  void valuesPrintAsGoPrintsAFloat(double v, String go) {
    assertEquals(go, AlertTemplates.goFloat(v));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "p95 {{ $value }} ms on {{$labels.model}}/{{ $labels.version }}|p95 250.5 ms on m/1.0.0",
      "no templates|no templates"})
  void fill(String template, String filled) {
    assertEquals(filled, AlertTemplates.fill(template, Map.of("model", "m", "version",
        "1.0.0"), 250.5));
  }

  @ParameterizedTest
  @CsvSource({"30s,PT30S,30s", "5m,PT5M,5m", "1h30m,PT1H30M,1h30m", "0,PT0S,0s",
      "1d2h,PT26H,1d2h", "1500ms,PT1.5S,1s500ms", "90m,PT1H30M,1h30m"})
  void durations(String text, Duration d, String printed) {
    assertEquals(d, PromDurations.parse("window", text));
    assertEquals(printed, PromDurations.format(d));
  }

  @ParameterizedTest
  @CsvSource({"-5m", "5", "5 m", "1m1h", "5min", "''", "1.5h"})
  void badDurationsNameTheField(String text) {
    AlertConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
        AlertConfigException.class, () -> PromDurations.parse("rule 'R': for", text));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith(
        "rule 'R': for: '" + text + "' is not a duration"), e.getMessage());
  }
}
