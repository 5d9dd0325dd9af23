package io.mlserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ArrivalRateTest {
  private static final long W = ArrivalRate.WINDOW_NANOS;

  @Test
  void theRateIsTheLastCompleteWindowsRows() {
    ArrivalRate rate = new ArrivalRate();
    for (int i = 0; i < 100; i++) { // 100 rows over one window
      rate.arrived(i * (W / 100), 1);
    }
    assertEquals(0, rate.expectedRows(W - 1, W), 1e-9, "no window has ended yet");
    assertEquals(100, rate.expectedRows(W, W), 1e-9);
    assertEquals(2.5, rate.expectedRows(W + 5, W / 40), 1e-9);
  }

  @Test
  void aQuietSpellReadsAsNoArrivals() {
    ArrivalRate rate = new ArrivalRate();
    for (int i = 0; i < 50; i++) {
      rate.arrived(i * (W / 50), 2);
    }
    assertEquals(100, rate.expectedRows(W, W), 1e-9);
    assertEquals(0, rate.expectedRows(2 * W, W), 1e-9, "a whole window passed without rows");
    rate.arrived(5 * W, 1);
    assertEquals(0, rate.expectedRows(5 * W, W), 1e-9, "one request after a pause");
  }
}
