package io.mlserve.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
  @Test
  void idsArePrefixPlusCounter() {
    RequestIds ids = new RequestIds(0xabcdefL);
    assertEquals("000000abcdef-1", ids.next());
    assertEquals("000000abcdef-2", ids.next());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      assertTrue(seen.add(ids.next()));
    }
  }

  @Test
  void twoInstancesDrawDifferentPrefixes() {
    // 48 random bits each: a collision here is a 2^-48 event
    assertNotEquals(new RequestIds().next(), new RequestIds().next());
  }
}
