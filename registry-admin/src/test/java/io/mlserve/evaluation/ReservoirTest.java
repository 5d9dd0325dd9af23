package io.mlserve.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReservoirTest {
  @Test
  void keepsEveryItemUntilFullThenAUniformSample() {
    // 2,000 seeds x 10 of 100 items: each item is kept 200 times on average. With a fixed
    // seed this is deterministic; the bound (±60, about 4.5 standard deviations) only guards
    // against a biased algorithm (e.g. one favouring early or late items).
    int[] kept = new int[100];
    for (long seed = 0; seed < 2_000; seed++) {
      Reservoir r = new Reservoir(10, seed);
      long[] slots = new long[10];
      int[] offered = {0};
      for (int size : new int[] {7, 1, 30, 62}) {
        int base = offered[0];
        r.offer(size, (offset, slot) -> slots[slot] = base + offset);
        offered[0] += size;
      }
      assertEquals(10, r.size());
      for (long item : slots) {
        kept[(int) item]++;
      }
    }
    for (int i = 0; i < 100; i++) {
      assertTrue(Math.abs(kept[i] - 200) < 60, "item " + i + " kept " + kept[i] + " times");
    }
  }

  @Test
  void aShortStreamIsKeptWhole() {
    Reservoir r = new Reservoir(10, 1);
    int[] slots = new int[10];
    r.offer(4, (offset, slot) -> slots[slot] = offset + 1);
    assertEquals(4, r.size());
    assertEquals(1, slots[0]);
    assertEquals(4, slots[3]);
  }
}
