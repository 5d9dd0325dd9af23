package io.mlserve.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DownsamplerTest {
  static final SeriesKey RATE = SeriesKey.ofVersion(Metric.RATE, "m", "1.0.0");
  static final SeriesKey P95 = SeriesKey.ofVersion(Metric.P95_MS, "m", "1.0.0");
  static final long T0 = 1_764_460_800L; // a UTC midnight, a multiple of 60

  private static Map<SeriesKey, Bucketed> byKey(List<Bucketed> b) {
    return b.stream().collect(Collectors.toMap(Bucketed::key, x -> x));
  }

  @Test
  void foldsTenSecondsIntoOneBucketMeanForRatesMaxForQuantiles() {
    Downsampler d = new Downsampler(new Resolution("10s", 10, 1));
    for (int s = 0; s < 10; s++) {
      assertTrue(d.add(T0 + s, List.of(new Point(RATE, s, true),
          new Point(P95, s == 3 ? 50 : 5, true))).isEmpty());
    }
    Map<SeriesKey, Bucketed> closed = byKey(d.add(T0 + 10, List.of(new Point(RATE, 1, true))));
    assertEquals(2, closed.size());
    assertEquals(T0, closed.get(RATE).epochSecond());
    assertEquals(4.5f, closed.get(RATE).value());
    assertEquals(50f, closed.get(P95).value());
  }

  @Test
  void anIdleVersionGetsOneBucketOfZerosThenNothing() {
    Downsampler d = new Downsampler(new Resolution("10s", 10, 1));
    d.add(T0, List.of(new Point(RATE, 3, true)));
    List<Bucketed> first = d.add(T0 + 10, List.of(new Point(RATE, 0, false)));
    assertEquals(List.of(new Bucketed(RATE, T0, 3f)), first);
    List<Bucketed> zeros = d.add(T0 + 20, List.of(new Point(RATE, 0, false)));
    assertEquals(List.of(new Bucketed(RATE, T0 + 10, 0f)), zeros, "the first idle bucket");
    assertEquals(List.of(), d.add(T0 + 30, List.of(new Point(RATE, 0, false))));
    assertEquals(List.of(), d.add(T0 + 40, List.of()));
  }

  @Test
  void aNanPointIsNoPointAndCloseYieldsTheOpenBucket() {
    Downsampler d = new Downsampler(new Resolution("1m", 60, 30));
    d.add(T0 + 5, List.of(new Point(P95, Double.NaN, true), new Point(RATE, 2, true)));
    d.add(T0 + 6, List.of(new Point(RATE, 4, true)));
    assertEquals(List.of(new Bucketed(RATE, T0, 3f)), d.close());
    assertEquals(List.of(), d.close());
  }
}
