package io.mlserve.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class PhaseStatsTest {
  @Test
  void theSuccessfulRequestsLatencyLeavesTheFailuresOut() {
    PhaseStats s = new PhaseStats(1);
    for (int i = 0; i < 10; i++) {
      s.record(0, 50_000, 50_000, Outcome.OK, "1"); // admitted: 50 ms
      s.record(0, 100, 100, Outcome.grpc(io.grpc.Status.Code.RESOURCE_EXHAUSTED), null); // shed
    }
    Histogram[] totals = s.totals();
    assertEquals(20, totals[0].getTotalCount());
    assertEquals(10, totals[2].getTotalCount());
    assertEquals(100, totals[0].getValueAtPercentile(50), 1);
    assertEquals(50_000, totals[2].getValueAtPercentile(50), 50);
  }
}
