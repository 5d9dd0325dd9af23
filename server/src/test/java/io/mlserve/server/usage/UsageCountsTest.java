package io.mlserve.server.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class UsageCountsTest {
  @Test
  void countsByModelVersionAndClientMostRequestsFirst() {
    UsageCounts u = new UsageCounts();
    u.record("m", "1.0.0", "alice", false);
    u.record("m", "1.0.0", "alice", true);
    u.record("m", "1.0.0", null, false);
    u.record("m", "1.0.0", "bob", false);
    u.record("m", "2.0.0", "bob", false);
    assertEquals(List.of(
        new UsageCounts.Row("m", "1.0.0", "alice", 2, 1),
        new UsageCounts.Row("m", "1.0.0", UsageCounts.NO_CLIENT, 1, 0),
        new UsageCounts.Row("m", "1.0.0", "bob", 1, 0),
        new UsageCounts.Row("m", "2.0.0", "bob", 1, 0)), u.rows());
  }

  @Test
  void clientsPastTheBoundShareOneRow() {
    UsageCounts u = new UsageCounts();
    for (int i = 0; i < UsageCounts.MAX_CLIENTS + 50; i++) {
      u.record("m", "1", "client-" + i, false);
    }
    u.record("m", "1", "client-3", false); // a known one still counts by name
    List<UsageCounts.Row> rows = u.rows();
    assertEquals(UsageCounts.MAX_CLIENTS + 1, rows.size());
    assertEquals(new UsageCounts.Row("m", "1", UsageCounts.OTHER_CLIENTS, 50, 0), rows.get(0));
    assertEquals(2, rows.stream().filter(r -> r.client().equals("client-3")).findFirst()
        .orElseThrow().requests());
  }
}
