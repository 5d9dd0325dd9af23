package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RunResultTest {
  private static final RunSpec SPEC = new RunSpec("host:1", "m\"odel", 8, 2,
      Duration.ofSeconds(2), Duration.ofSeconds(1), 24, "curve", false, Duration.ofSeconds(1));

  private static RunResult result(long ok, Map<Status.Code, Long> errors, String abort) {
    Histogram h = new Histogram(1, RunStats.MAX_TRACKABLE_US, 3);
    for (long i = 1; i <= ok; i++) {
      h.recordValue(i * 10);
    }
    return new RunResult(SPEC, 2_000_000_000L, ok, errors, h, 0, abort);
  }

  @Test
  void passesAtOnePercentFailsAbove() {
    assertEquals(RunResult.EXIT_OK, result(1000, Map.of(), null).exitCode());
    assertEquals(RunResult.EXIT_OK,
        result(990, Map.of(Status.Code.UNAVAILABLE, 10L), null).exitCode());
    assertEquals(RunResult.EXIT_TOO_MANY_ERRORS,
        result(989, Map.of(Status.Code.UNAVAILABLE, 11L), null).exitCode());
  }

  @Test
  void nothingCompletedFails() {
    assertEquals(RunResult.EXIT_TOO_MANY_ERRORS, result(0, Map.of(), null).exitCode());
  }

  @Test
  void abortedIsUnreachable() {
    RunResult r = result(0, Map.of(Status.Code.UNAVAILABLE, 1L), "target unreachable");
    assertEquals(RunResult.EXIT_UNREACHABLE, r.exitCode());
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
