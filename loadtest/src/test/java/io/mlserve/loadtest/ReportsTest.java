package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The HTML report writer and the SLO check. */
class ReportsTest {
  private static RunResult result(long p95Us, double rate, Map<String, Long> errors) {
    Histogram h = new Histogram(1, PhaseStats.MAX_TRACKABLE_US, 3);
    for (int i = 0; i < 100; i++) {
      h.recordValue(i < 95 ? 1_000 : p95Us * 2);
    }
    h.recordValue(p95Us);
    RunSetup setup = new RunSetup("grpc://127.0.0.1:1", "grpc <load>", "m", true, rate, 0, 1, 24,
        false, Duration.ZERO, Duration.ofSeconds(1));
    long ok = (long) rate;
    return new RunResult(setup, 1_000_000_000L, ok, errors, h, h, Map.of("1.0.0", ok),
        List.of(new RunResult.ModelResult("m", ok, 0, 1_000, 2_000)),
        List.of(new Timeline.Point(1, ok, 0, ok, 1_000, 2_000, 3_000),
            new Timeline.Point(2, ok, 1, ok, 1_000, 9_000, 12_000)),
        new GeneratorReport(rate, ok, 0, 0, 50, 0, 10_000, 10_000), 0, null);
  }

  @Test
  void htmlIsSelfContainedWithBothCharts() {
    RunResult r = result(2_000, 150, Map.of("HTTP 503", 1L));
    String html = HtmlReport.render(r, Slo.check(r, Slo.parse(Slo.SEED)));
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertEquals(2, html.split("<svg ", -1).length - 1, "two charts");
    assertTrue(html.contains("Latency by percentile"));
    assertTrue(html.contains("Throughput and p99 over time"));
    assertTrue(html.contains("<polyline"));
    assertTrue(html.contains("grpc &lt;load&gt;"), "escaped");
    assertTrue(html.contains("<script type=\"application/json\" id=\"result\">"));
    assertTrue(html.contains("\"timeline\": [{\"t\": 1.000"));
    assertTrue(html.contains("\"HTTP 503\": 1"));
    for (String external : new String[] {"src=", "href=", "https://", "@import", "url("}) {
      assertFalse(html.contains(external), "fetches nothing: " + external);
    }
  }

  @Test
  void sloParsesAndDecides() {
    Slo seed = Slo.parse("p95=120ms@150rps");
    assertEquals(95.0, seed.percentile());
    assertEquals(120_000, seed.limitUs());
    assertEquals(150.0, seed.rate());
    assertEquals("p99.9=2.000ms@1000rps", Slo.parse("p99.9=2ms@1000rps").toString());
    assertNull(Slo.parse("none"));
    assertThrows(IllegalArgumentException.class, () -> Slo.parse("p95<120ms"));

    assertEquals(new Slo.Verdict(0, null), Slo.check(result(100_000, 150, Map.of()), seed));
    Slo.Verdict slow = Slo.check(result(130_000, 150, Map.of()), seed);
    assertEquals(Slo.EXIT_MISSED, slow.exitCode());
    assertTrue(slow.reason().contains("p95 was 130."), slow.reason());
    Slo.Verdict low = Slo.check(result(1_000, 100, Map.of()), seed);
    assertTrue(low.reason().contains("below its 150 req/s"), low.reason());
    Slo.Verdict errors = Slo.check(result(1_000, 150, Map.of("UNAVAILABLE", 5L)), seed);
    assertTrue(errors.reason().contains("UNAVAILABLE=5"), errors.reason());
  }

  @Test
  void niceAxisCeilings() {
    assertEquals(1.0, HtmlReport.niceCeil(0.7), 1e-9);
    assertEquals(200.0, HtmlReport.niceCeil(120), 1e-9);
    assertEquals(5000.0, HtmlReport.niceCeil(4100), 1e-9);
  }
}
