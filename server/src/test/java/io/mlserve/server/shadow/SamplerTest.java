package io.mlserve.server.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The sample is a pure function of the request id, so its rate is a fixed number: no flake. */
class SamplerTest {
  @Test
  void rateIsKeptOverSequentialIdsAndEachIdAlwaysGetsTheSameDecision() {
    for (double rate : new double[] {0.01, 0.25, 0.5, 0.9}) {
      int n = 100_000;
      int hits = 0;
      for (int i = 0; i < n; i++) {
        if (Sampler.sampled("req-" + i, rate)) {
          hits++;
        }
      }
      // deterministic: the same ids give the same count on every run; the bound is the one a
      // uniform hash would meet (4 standard deviations at most ~0.0063)
      assertEquals(rate, (double) hits / n, 0.01, "rate " + rate);
    }
    for (int i = 0; i < 1000; i++) {
      String id = "id-" + i;
      assertEquals(Sampler.sampled(id, 0.3), Sampler.sampled(id, 0.3));
    }
  }

  @Test
  void aFullRateMirrorsEverythingAndUnitIsInRange() {
    assertTrue(Sampler.sampled(null, 1.0));
    assertTrue(Sampler.sampled("x", 1.0));
    for (int i = 0; i < 1000; i++) {
      double u = Sampler.unit(Integer.toString(i));
      assertTrue(u >= 0 && u < 1, "unit " + u);
    }
  }

  @Test
  void aSampleKeptAtOneRateIsKeptAtAnyLargerOne() {
    for (int i = 0; i < 10_000; i++) {
      String id = "k" + i;
      if (Sampler.sampled(id, 0.1)) {
        assertTrue(Sampler.sampled(id, 0.2), id);
      }
    }
  }
}
