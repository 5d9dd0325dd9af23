package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RunResultTest {
  private static final RunSetup SPEC = new RunSetup("host:1", "load", "m\"odel", false, 0, 8, 2,
      24, false, Duration.ofSeconds(1), Duration.ofSeconds(2));

  private static RunResult result(long ok, Map<Status.Code, Long> errors, String abort) {
    Histogram h = new Histogram(1, PhaseStats.MAX_TRACKABLE_US, 3);
    for (long i = 1; i <= ok; i++) {
      h.recordValue(i * 10);
    }
    Map<String, Long> labels = new java.util.TreeMap<>();
    errors.forEach((c, n) -> labels.put(c.name(), n));
    if (abort != null) {
      return RunResult.aborted(SPEC, labels, abort);
    }
    return new RunResult(SPEC, 2_000_000_000L, ok, labels, h, h, Map.of("1", ok), List.of(),
        List.of(), null, 0, null);
  }

  private static int exit(RunResult r) {
    return Slo.check(r, null).exitCode();
  }

  @Test
  void passesAtOnePercentFailsAbove() {
    assertEquals(Slo.EXIT_MET, exit(result(1000, Map.of(), null)));
    assertEquals(Slo.EXIT_MET,
        exit(result(990, Map.of(Status.Code.UNAVAILABLE, 10L), null)));
    assertEquals(Slo.EXIT_MISSED,
        exit(result(989, Map.of(Status.Code.UNAVAILABLE, 11L), null)));
  }

  @Test
  void nothingCompletedFails() {
    assertEquals(Slo.EXIT_MISSED, exit(result(0, Map.of(), null)));
  }

  @Test
  void abortedIsUnreachable() {
    RunResult r = result(0, Map.of(Status.Code.UNAVAILABLE, 1L), "target unreachable");
    assertEquals(Slo.EXIT_UNREACHABLE, exit(r));
    assertEquals(1, r.requests());
    assertEquals(0, r.percentileUs(99));
    assertEquals(0, r.maxUs());
  }

  @Test
  void derivesThroughputAndPercentiles() {
    RunResult r = result(1000, Map.of(Status.Code.INTERNAL, 2L, Status.Code.CANCELLED, 1L), null);
    assertEquals(1003, r.requests());
    assertEquals(3, r.failed());
    assertEquals(500.0, r.throughputRps(), 1e-9);
    assertTrue(r.percentileUs(50) <= r.percentileUs(99));
    assertTrue(r.percentileUs(99) <= r.maxUs());
    assertEquals(10_000, r.maxUs(), 10);
  }

  @Test
  void jsonHasEveryFieldAndEscapes() {
    String json = JsonReport.render(
        result(1000, Map.of(Status.Code.INTERNAL, 2L, Status.Code.CANCELLED, 1L), null));
    for (String f : new String[] {"target", "concurrency", "channels", "duration_s", "requests",
        "throughput_rps", "p50_us", "p90_us", "p99_us", "p999_us", "max_us", "errors"}) {
      assertTrue(json.contains("\"" + f + "\": "), f + " missing in " + json);
    }
    assertTrue(json.contains("\"model\": \"m\\\"odel\""), json);
    assertTrue(json.contains("\"errors\": {\"CANCELLED\": 1, \"INTERNAL\": 2}"), json);
    assertTrue(json.contains("\"channels\": 2,"), json);
    assertTrue(json.contains("\"aborted\": null,"), json);
  }

  @Test
  void quotesControlCharacters() {
    assertEquals("\"a\\nb\\u0001\\\\\"", JsonReport.quote("a\nb\u0001\\"));
  }
}
