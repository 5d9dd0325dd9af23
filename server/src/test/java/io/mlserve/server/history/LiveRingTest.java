package io.mlserve.server.history;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LiveRingTest {
  static SeriesKey rate(String model) {
    return SeriesKey.ofVersion(Metric.RATE, model, "1.0.0");
  }

  @Test
  void readsTheLastSecondsWithGapsAsNan() {
    LiveRing ring = new LiveRing(10, 10);
    ring.put(100, List.of(new Point(rate("a"), 1, true)));
    ring.put(101, List.of(new Point(rate("a"), 2, true)));
    ring.put(103, List.of(new Point(rate("a"), 4, true))); // 102 missed
    LiveRing.Window w = ring.read(4, k -> true);
    assertArrayEquals(new long[] {100, 101, 102, 103}, w.seconds());
    assertArrayEquals(new double[] {1, 2, Double.NaN, 4}, w.values().get(rate("a")));
  }

  @Test
  void wrapsAroundAndForgetsWhatIsOlderThanTheWindow() {
    LiveRing ring = new LiveRing(10, 10);
    for (int s = 0; s < 25; s++) {
      ring.put(1000 + s, s < 12 ? List.of(new Point(rate("a"), s, true)) : List.of());
    }
    LiveRing.Window w = ring.read(100, k -> true);
    assertEquals(10, w.seconds().length, "never more than the window");
    assertEquals(1015, w.seconds()[0]);
    assertFalse(w.values().containsKey(rate("a")), "no value in the window: not listed");
  }

  @Test
  void boundedSeriesAStaleOneMakesRoomOtherwiseTheNewOneIsLeftOut() {
    LiveRing ring = new LiveRing(10, 2);
    ring.put(1, List.of(new Point(rate("a"), 1, true), new Point(rate("b"), 1, true)));
    ring.put(2, List.of(new Point(rate("a"), 1, true), new Point(rate("c"), 1, true)));
    assertEquals(List.of(rate("a"), rate("b")), ring.keys(), "c left out while b is fresh");
    ring.put(20, List.of(new Point(rate("c"), 1, true)));
    assertEquals(2, ring.keys().size());
    assertTrue(ring.keys().contains(rate("c")), "c took the place of a series idle 10 s");
  }

  @Test
  void refusesAnUnboundedConfiguration() {
    assertThrows(IllegalArgumentException.class, () -> new LiveRing(100_000, 10));
    assertThrows(IllegalArgumentException.class, () -> new LiveRing(10, 0));
  }
}
